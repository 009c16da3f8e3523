package io.ctta.streams.source.csv;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a CSV file row by row, never the whole file at once: comma-separated, fields optionally in
 * double quotes (a quoted field may hold commas, newlines and {@code ""} for a quote), LF or CRLF line
 * ends, an optional UTF-8 byte-order mark. This is what pandas' {@code to_csv} writes and
 * {@code read_csv} reads. The first row is the header. Not thread-safe.
 */
public final class CsvReader implements AutoCloseable {

    private final Path file;
    private final BufferedReader in;
    private final Columns columns;
    private long line = 1;
    private long index;

    /**
     * Opens {@code file} and reads its header.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws CsvFormatException  if it is empty
     */
    public CsvReader(Path file) throws IOException {
        this.file = file;
        this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        try {
            List<String> header = readRecord();
            if (header == null) {
                throw new CsvFormatException(file + ": empty file; a CSV file with a header row was expected");
            }
            if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
                header.set(0, header.get(0).substring(1));
            }
            this.columns = new Columns(file, header);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The header's columns. */
    public Columns columns() {
        return columns;
    }

    /** The file, for messages. */
    public Path file() {
        return file;
    }

    /**
     * The next data row, or {@code null} at the end of the file. Blank lines are skipped (pandas skips
     * them too).
     *
     * @throws CsvFormatException when a quoted field is not closed before the end of the file
     */
    public CsvRow next() throws IOException {
        while (true) {
            long start = line;
            List<String> fields = readRecord();
            if (fields == null) {
                return null;
            }
            if (fields.size() == 1 && fields.get(0).isEmpty()) {
                continue;
            }
            return new CsvRow(start, index++, fields);
        }
    }

    /** One record, possibly spanning lines inside quotes; {@code null} at the end of the input. */
    private List<String> readRecord() throws IOException {
        int c = in.read();
        if (c < 0) {
            return null;
        }
        long startLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean afterQuote = false;
        while (true) {
            if (quoted) {
                if (c < 0) {
                    throw new CsvFormatException(file + ": line " + startLine + ": a quoted field is not closed before the end of the file");
                }
                if (c == '"') {
                    int d = in.read();
                    if (d == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        afterQuote = true;
                        c = d;
                        continue;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c < 0 || c == '\n' || c == '\r') {
                if (c == '\r') {
                    in.mark(1);
                    if (in.read() != '\n') {
                        in.reset();
                    }
                }
                if (c >= 0) {
                    line++;
                }
                fields.add(field.toString());
                return fields;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                afterQuote = false;
            } else if (c == '"' && field.length() == 0 && !afterQuote) {
                quoted = true;
            } else {
                field.append((char) c);
            }
            c = in.read();
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
