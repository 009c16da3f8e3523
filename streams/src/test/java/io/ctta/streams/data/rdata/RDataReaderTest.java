package io.ctta.streams.data.rdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RDataReaderTest {
    private static final double NA_REAL = Double.longBitsToDouble(RObject.RDoubles.NA_BITS);

    @TempDir
    Path dir;

    /** data.frame(id = c(1L, 2L, NA), score = c(1.5, NA, -2), name = c("a", NA, "é"),
     *  kind = factor(c("y", "x", NA)), flag = c(TRUE, FALSE, NA)). */
    private static void writeFrame(XdrWriter w) {
        w.vecsxp(5, true, true);
        w.ints(new int[] {1, 2, RObject.NA_INTEGER}, false, false);
        w.doubles(new double[] {1.5, NA_REAL, -2}, false);
        w.strings(new String[] {"a", null, "é"}, XdrWriter.UTF8, false);
        w.ints(new int[] {2, 1, RObject.NA_INTEGER}, true, true);
        w.cell("levels").strings(new String[] {"x", "y"}, XdrWriter.ASCII, false);
        w.cell("class").strings(new String[] {"factor"}, XdrWriter.ASCII, false);
        w.nil();
        w.logicals(new int[] {1, 0, RObject.NA_INTEGER});
        w.cell("names").strings(new String[] {"id", "score", "name", "kind", "flag"}, XdrWriter.ASCII, false);
        w.cell("class").strings(new String[] {"data.frame"}, XdrWriter.ASCII, false); // "class" is a REFSXP now
        w.cell("row.names").ints(new int[] {RObject.NA_INTEGER, -3}, false, false);
        w.nil();
    }

    /** ALTREP compact_intseq 3:7 (what R 3.5+ writes for 3:7). */
    private static void writeSeq(XdrWriter w) {
        w.i(XdrWriter.ALTREP);
        w.i(XdrWriter.LISTSXP).symbol("compact_intseq");
        w.i(XdrWriter.LISTSXP).symbol("base");
        w.i(XdrWriter.LISTSXP).ints(new int[] {13}, false, false);
        w.nil();
        w.doubles(new double[] {5, 3, 1}, false);
        w.nil();
    }

    private static void checkFrame(RObject o) throws RDataException {
        RDataFrame df = RDataFrame.of(o);
        assertEquals(3, df.rows());
        assertEquals(List.of("id", "score", "name", "kind", "flag"), df.columnNames());
        assertArrayEquals(new int[] {1, 2, RObject.NA_INTEGER}, df.ints("id"));
        double[] score = df.doubles("score");
        assertEquals(1.5, score[0]);
        assertTrue(((RObject.RDoubles) ((RObject.RList) o).values().get(1)).isNa(1));
        assertEquals(-2, score[2]);
        assertArrayEquals(new String[] {"a", null, "é"}, df.strings("name"));
        assertTrue(df.isFactor("kind"));
        assertFalse(df.isFactor("id"));
        assertArrayEquals(new String[] {"y", "x", null}, df.strings("kind"));
        assertArrayEquals(new int[] {2, 1, RObject.NA_INTEGER}, df.ints("kind"));
        assertArrayEquals(new int[] {1, 0, RObject.NA_INTEGER}, df.ints("flag"));
        assertArrayEquals(new double[] {1, 2, Double.NaN}, df.doubles("id"));
        RDataException e = assertThrows(RDataException.class, () -> df.ints("nope"));
        assertTrue(e.getMessage().contains("no column 'nope'"), e.getMessage());
        assertThrows(RDataException.class, () -> df.doubles("name"));
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] zlib(byte[] b) {
        Deflater d = new Deflater();
        d.setInput(b);
        d.finish();
        byte[] buf = new byte[b.length + 64];
        int n = d.deflate(buf);
        d.end();
        return java.util.Arrays.copyOf(buf, n);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    private static byte[] be32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Test
    void readsAHandMadeDataFrameFromRdsInBothVersions() throws IOException {
        for (int version : new int[] {2, 3}) {
            XdrWriter w = new XdrWriter(version);
            writeFrame(w);
            Path f = dir.resolve("frame" + version + ".rds");
            Files.write(f, gzip(w.bytes()));
            checkFrame(RData.readRds(f));
            Path plain = dir.resolve("plain" + version + ".rds");
            Files.write(plain, w.bytes());
            checkFrame(RData.readRds(plain));
        }
    }

    @Test
    void readsAnRdaWithSeveralObjectsAndAltrepSequences() throws IOException {
        XdrWriter w = new XdrWriter(3);
        w.cell("df");
        writeFrame(w);
        w.cell("seq");
        writeSeq(w);
        w.nil();
        Path f = dir.resolve("two.rda");
        Files.write(f, gzip(concat("RDX3\n".getBytes(StandardCharsets.US_ASCII), w.bytes())));
        Map<String, RObject> all = RData.readRda(f);
        assertEquals(List.of("df", "seq"), List.copyOf(all.keySet()));
        checkFrame(all.get("df"));
        assertArrayEquals(new int[] {3, 4, 5, 6, 7}, ((RObject.RInts) all.get("seq")).values());
        Path bad = dir.resolve("bad.rda");
        Files.write(bad, gzip("RDX9\nxx".getBytes(StandardCharsets.US_ASCII)));
        RDataException e = assertThrows(RDataException.class, () -> RData.readRda(bad));
        assertTrue(e.getMessage().contains("not an R data file"), e.getMessage());
    }

    @Test
    void readsALazyLoadDatabaseWithZlibAndTypedBlobs() throws IOException {
        XdrWriter a = new XdrWriter(2);
        writeFrame(a);
        XdrWriter b = new XdrWriter(2);
        writeSeq(b);
        byte[] da = a.bytes();
        byte[] db = b.bytes();
        for (int compression : new int[] {1, 3}) {
            byte[] blobA = compression == 1 ? concat(be32(da.length), zlib(da))
                    : concat(be32(da.length), new byte[] {'1'}, zlib(da));
            byte[] blobB = compression == 1 ? concat(be32(db.length), zlib(db))
                    : concat(be32(db.length), new byte[] {'0'}, db);
            Path base = dir.resolve("Rdata" + compression);
            Files.write(dir.resolve("Rdata" + compression + ".rdb"), concat(blobA, blobB));
            XdrWriter x = new XdrWriter(2);
            x.vecsxp(3, true, false);
            x.vecsxp(2, true, false);
            x.ints(new int[] {0, blobA.length}, false, false);
            x.ints(new int[] {blobA.length, blobB.length}, false, false);
            x.cell("names").strings(new String[] {"frame", "seq"}, XdrWriter.ASCII, false).nil();
            x.vecsxp(0, false, false);
            if (compression == 1) {
                x.logicals(new int[] {1});
            } else {
                x.doubles(new double[] {3}, false);
            }
            x.cell("names").strings(new String[] {"variables", "references", "compressed"}, XdrWriter.ASCII, false)
                    .nil();
            Files.write(dir.resolve("Rdata" + compression + ".rdx"), gzip(x.bytes()));
            assertEquals(List.of("frame", "seq"), List.copyOf(RData.lazyLoadNames(base)));
            checkFrame(RData.readLazyLoad(base, "frame"));
            assertArrayEquals(new int[] {3, 4, 5, 6, 7}, ((RObject.RInts) RData.readLazyLoad(base, "seq")).values());
            RDataException e = assertThrows(RDataException.class, () -> RData.readLazyLoad(base, "gone"));
            assertTrue(e.getMessage().contains("has no object 'gone'; it has frame, seq"), e.getMessage());
        }
    }

    @Test
    void refusesWhatItCannotReadWithAReason() throws IOException {
        Path bz = dir.resolve("x.rds");
        Files.write(bz, "BZh91AY&SY".getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertThrows(RDataException.class, () -> RData.readRds(bz)).getMessage().contains("bzip2"));
        Path xz = dir.resolve("y.rds");
        Files.write(xz, new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0, 1, 2});
        assertTrue(assertThrows(RDataException.class, () -> RData.readRds(xz)).getMessage().contains("xz"));
        Path ascii = dir.resolve("a.rds");
        Files.write(ascii, "A\n3\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertThrows(RDataException.class, () -> RData.readRds(ascii)).getMessage().contains("ascii"));
        XdrWriter w = new XdrWriter(3);
        w.i(XdrWriter.INTSXP).i(10).i(1); // promises 10 ints, holds 1
        Path cut = dir.resolve("cut.rds");
        Files.write(cut, w.bytes());
        assertThrows(IOException.class, () -> RData.readRds(cut));
        XdrWriter r = new XdrWriter(3);
        r.i(XdrWriter.REFSXP | (5 << 8));
        Path ref = dir.resolve("ref.rds");
        Files.write(ref, r.bytes());
        assertTrue(assertThrows(RDataException.class, () -> RData.readRds(ref)).getMessage().contains("reference 5"));
        XdrWriter l = new XdrWriter(2);
        l.strings(new String[] {"caf\u00e9"}, XdrWriter.LATIN1, false);
        Path latin = dir.resolve("latin.rds");
        Files.write(latin, l.bytes());
        assertEquals("caf\u00e9", ((RObject.RStrings) RData.readRds(latin)).values()[0]);
        assertNull(RObject.RNull.INSTANCE.attribute("names"));
    }
}
