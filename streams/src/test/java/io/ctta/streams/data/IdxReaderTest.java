package io.ctta.streams.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path tmp;

    private static Path dataDir() {
        Path dir = FashionMnist.defaultDirectory();
        assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed at " + dir);
        return dir;
    }

    @Test
    void readsRealTrainAndTestSplits() throws IOException {
        Path dir = dataDir();
        LabeledImages train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
        assertEquals(60000, train.count());
        assertEquals(28, train.rows());
        assertEquals(28, train.cols());
        assertEquals(9, train.label(0), "first training image is an ankle boot");
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(train.label(0)));
        int[] h = train.labelHistogram();
        assertEquals(10, h.length);
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, h[c], "class " + c);
        }
        LabeledImages test = FashionMnist.load(dir, FashionMnist.Split.TEST);
        assertEquals(10000, test.count());
        for (int c : test.labelHistogram()) {
            assertEquals(1000, c);
        }
    }

    @Test
    void plainAndGzipGiveTheSameData() throws IOException {
        Path dir = dataDir();
        Path img = tmp.resolve("t10k-images-idx3-ubyte");
        Path lab = tmp.resolve("t10k-labels-idx1-ubyte");
        gunzip(dir.resolve("t10k-images-idx3-ubyte.gz"), img);
        gunzip(dir.resolve("t10k-labels-idx1-ubyte.gz"), lab);
        LabeledImages plain = IdxReader.read(img, lab);
        LabeledImages gz = IdxReader.read(dir.resolve("t10k-images-idx3-ubyte.gz"),
                dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertEquals(gz, plain);
        // FashionMnist.load also finds plain files.
        assertEquals(gz, FashionMnist.load(tmp, FashionMnist.Split.TEST));
    }

    @Test
    void writerReaderRoundTripPlainAndGzip() throws IOException {
        LabeledImages data = TestImages.random(7, 3, 5, 42);
        for (String ext : new String[] {"", ".gz"}) {
            Path img = tmp.resolve("x-images" + ext);
            Path lab = tmp.resolve("x-labels" + ext);
            IdxWriter.write(data, img, lab);
            assertEquals(data, IdxReader.read(img, lab));
            byte[] head = Files.readAllBytes(img);
            assertEquals(ext.isEmpty(), head[0] == 0, "gzip only for .gz names");
        }
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void badMagicNamesFileAndExpectedMagic() throws IOException {
        LabeledImages data = TestImages.random(2, 2, 2, 1);
        Path img = tmp.resolve("i");
        Path lab = tmp.resolve("l");
        IdxWriter.write(data, img, lab);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> IdxReader.read(lab, img));
        assertTrue(e.getMessage().contains(lab.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bad magic number 2049"), e.getMessage());
        assertTrue(e.getMessage().contains("label file"), e.getMessage());
    }

    @Test
    void truncatedTrailingAndMismatchedCountsAreRejected() throws IOException {
        Path img = tmp.resolve("i");
        Path lab = tmp.resolve("l");
        Files.write(img, idx(2051, new int[] {3, 2, 2}, 11));
        Files.write(lab, idx(2049, new int[] {3}, 3));
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.read(img, lab))
                .getMessage().contains("truncated"));
        Files.write(img, idx(2051, new int[] {3, 2, 2}, 13));
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.read(img, lab))
                .getMessage().contains("trailing"));
        Files.write(img, idx(2051, new int[] {3, 2, 2}, 12));
        Files.write(lab, idx(2049, new int[] {4}, 4));
        String msg = assertThrows(IdxFormatException.class, () -> IdxReader.read(img, lab))
                .getMessage();
        assertTrue(msg.contains("4 labels") && msg.contains("3 images"), msg);
        Files.write(img, new byte[] {0, 0});
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.read(img, lab))
                .getMessage().contains("header"));
    }

    @Test
    void missingDirectoryTellsHowToInstall() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> FashionMnist.load(tmp.resolve("nope"), FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"),
                e.getMessage());
        NoSuchFileException e2 = assertThrows(NoSuchFileException.class,
                () -> FashionMnist.load(tmp, FashionMnist.Split.TRAIN));
        assertTrue(e2.getMessage().contains("apt-get install -y dataset-fashion-mnist"));
    }

    private static byte[] idx(int magic, int[] dims, int dataBytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(new byte[dataBytes]);
        return b.toByteArray();
    }

    private static void gunzip(Path from, Path to) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(from))) {
            Files.copy(in, to);
        }
    }
}
