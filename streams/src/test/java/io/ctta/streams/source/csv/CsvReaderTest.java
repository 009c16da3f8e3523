package io.ctta.streams.source.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsWhatPandasWritesQuotesNewlinesAndCrlf() throws IOException {
        Path f = Files.writeString(dir.resolve("m.csv"), "\uFEFF,name,region\r\n"
                + "0,\"Korea, Republic of\",Asia\r\n"
                + "1,\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
                + "\r\n"
                + "2,,Europe");
        try (CsvReader csv = new CsvReader(f)) {
            assertEquals(List.of("", "name", "region"), csv.columns().names());
            assertEquals(1, csv.columns().require("name"));
            CsvRow a = csv.next();
            assertEquals(List.of("0", "Korea, Republic of", "Asia"), a.fields());
            assertEquals(2, a.line());
            assertEquals(0, a.index());
            CsvRow b = csv.next();
            assertEquals(List.of("1", "say \"hi\"", "two\nlines"), b.fields());
            assertEquals(3, b.line());
            CsvRow c = csv.next();
            assertEquals(List.of("2", "", "Europe"), c.fields());
            assertEquals(6, c.line(), "the quoted newline and the blank line count as lines");
            assertEquals(2, c.index());
            assertNull(csv.next());
        }
    }

    @Test
    void problemsNameTheFileAndTheLine() throws IOException {
        assertThrows(NoSuchFileException.class, () -> new CsvReader(dir.resolve("none.csv")));
        Path empty = Files.writeString(dir.resolve("e.csv"), "");
        assertTrue(assertThrows(CsvFormatException.class, () -> new CsvReader(empty)).getMessage().contains("empty file"));
        Path open = Files.writeString(dir.resolve("o.csv"), "a,b\n1,2\n3,\"never closed\n4,5\n");
        try (CsvReader csv = new CsvReader(open)) {
            csv.next();
            String msg = assertThrows(CsvFormatException.class, csv::next).getMessage();
            assertEquals(open + ": line 3: a quoted field is not closed before the end of the file", msg);
        }
        try (CsvReader csv = new CsvReader(open)) {
            String msg = assertThrows(CsvFormatException.class, () -> csv.columns().require("y")).getMessage();
            assertTrue(msg.contains("no column 'y' in the header; its columns are [a, b]"), msg);
        }
    }
}
