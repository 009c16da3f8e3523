package io.ctta.streams.source.streamdir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.data.Domain;
import io.ctta.streams.data.IdxFormatException;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.data.StreamDirectory;
import io.ctta.streams.fixtures.IdxFiles;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamDirectoryReaderTest {

    @TempDir
    Path tmp;

    private final StreamDirectoryReader reader = new StreamDirectoryReader();

    private static List<Sample> all(DatasetSource s) {
        List<Sample> out = new ArrayList<>();
        s.samples().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aGreyVersion1StreamReadsAsTheWholeFileReaderReadsIt() throws IOException {
        LabeledImages a = new LabeledImages(2, 2, 3, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, new int[] {4, 9});
        LabeledImages b = new LabeledImages(1, 2, 3, new byte[] {0, 0, 0, 0, 0, (byte) 255}, new int[] {0});
        Path dir = tmp.resolve("grey");
        StreamDirectory.write(dir, List.of(new Domain("fog-3", a), new Domain("snow-3", b)));
        try (DatasetSource s = reader.open(dir, ReaderOptions.none())) {
            assertEquals(List.of(new DomainInfo("fog-3", 2), new DomainInfo("snow-3", 1)), s.domains());
            List<Sample> samples = all(s);
            assertEquals(List.of("fog-3/0", "fog-3/1", "snow-3/0"), samples.stream().map(Sample::id).toList());
            assertEquals(List.of(4, 9, 0), samples.stream().map(Sample::label).toList());
            assertArrayEquals(new int[] {1, 2, 3}, samples.get(1).features().shape());
            assertArrayEquals(new float[] {7, 8, 9, 10, 11, 12}, samples.get(1).features().values());
            assertEquals(255f, samples.get(2).features().values()[5]);
            assertEquals(Map.of(), samples.get(0).metadata());
            assertEquals(0, s.skips().total());
        }
    }

    @Test
    void version2CarriesRgbInChannelsLastFilesAndAnySizePerDomain() throws IOException {
        // Domain "day": two 2x2 RGB images, channels last as NumPy writes them; pixel p of image i is
        // (10i + p, 100 + p, 200 + i).
        byte[] hwc = new byte[2 * 2 * 2 * 3];
        for (int i = 0; i < 2; i++) {
            for (int p = 0; p < 4; p++) {
                hwc[(i * 4 + p) * 3] = (byte) (10 * i + p);
                hwc[(i * 4 + p) * 3 + 1] = (byte) (100 + p);
                hwc[(i * 4 + p) * 3 + 2] = (byte) (200 + i);
            }
        }
        IdxFiles.images4(tmp.resolve("day-images.gz"), 2, 2, 2, 3, hwc);
        IdxFiles.labels(tmp.resolve("day-labels.gz"), 1, 2);
        IdxFiles.images3(tmp.resolve("night-images"), 1, 3, 1, new byte[] {5, 6, 7});
        IdxFiles.labels(tmp.resolve("night-labels"), 0);
        manifest(2, ",\"classes\":3", domain("day", "day-images.gz", "day-labels.gz") + "," + domain("night", "night-images", "night-labels"));
        try (DatasetSource s = reader.open(tmp, ReaderOptions.none())) {
            assertEquals(3, s.classes().getAsInt());
            List<Sample> samples = all(s);
            assertEquals(3, samples.size());
            Sample second = samples.get(1);
            assertArrayEquals(new int[] {3, 2, 2}, second.features().shape());
            assertArrayEquals(new float[] {10, 11, 12, 13, 100, 101, 102, 103, 201, 201, 201, 201}, second.features().values(),
                    "CHW planes from the HWC file");
            assertArrayEquals(new int[] {1, 3, 1}, samples.get(2).features().shape());
        }
    }

    @Test
    void badItemsAreSkippedAndCountedAndBadStreamsRefused() throws IOException {
        IdxFiles.images3(tmp.resolve("i"), 3, 1, 2, new byte[6]);
        IdxFiles.labels(tmp.resolve("l"), 0, 7, 1);
        manifest(1, ",\"classes\":5", domain("a", "i", "l"));
        try (DatasetSource s = reader.open(tmp, ReaderOptions.none())) {
            assertEquals(List.of("a/0", "a/2"), all(s).stream().map(Sample::id).toList());
            assertEquals(1, s.skips().count(SkipLog.Reason.LABEL_OUT_OF_RANGE));
            assertTrue(s.skips().messages().get(0).contains(tmp.resolve("l") + " label 1"), s.skips().messages().toString());
        }

        // Truncated: the header announces 3 images, the file holds 1.5.
        byte[] whole = Files.readAllBytes(IdxFiles.images3(tmp.resolve("t"), 3, 1, 2, new byte[] {1, 2, 3, 4, 5, 6}));
        Files.write(tmp.resolve("t"), Arrays.copyOf(whole, whole.length - 3));
        manifest(1, "", domain("a", "t", "l"));
        try (DatasetSource s = reader.open(tmp, ReaderOptions.none())) {
            assertEquals(List.of("a/0"), all(s).stream().map(Sample::id).toList());
            assertEquals(2, s.skips().count(SkipLog.Reason.UNDECODABLE_IMAGE));
            assertTrue(s.skips().summary().contains("truncated inside image 1"), s.skips().summary());
        }

        IdxFiles.images4(tmp.resolve("rgb"), 1, 1, 1, 3, new byte[3]);
        IdxFiles.labels(tmp.resolve("one"), 0);
        manifest(1, "", domain("a", "rgb", "one"));
        String msg = assertThrows(IdxFormatException.class, () -> reader.open(tmp, ReaderOptions.none())).getMessage();
        assertTrue(msg.contains("declare \"version\": 2"), msg);
        manifest(2, "", domain("a", "i", "one"));
        msg = assertThrows(IdxFormatException.class, () -> reader.open(tmp, ReaderOptions.none())).getMessage();
        assertTrue(msg.contains("holds 1 labels but i holds 3 images"), msg);
        manifest(2, ",\"classes\":0", domain("a", "rgb", "one"));
        msg = assertThrows(IdxFormatException.class, () -> reader.open(tmp, ReaderOptions.none())).getMessage();
        assertTrue(msg.contains("\"classes\" must be a positive integer"), msg);
    }

    @Test
    void theCapTakesTheFirstImagesOfEachDomainAndOptionsAreChecked() throws IOException {
        IdxFiles.images3(tmp.resolve("i"), 3, 1, 1, new byte[] {1, 2, 3});
        IdxFiles.labels(tmp.resolve("l"), 0, 1, 2);
        manifest(1, "", domain("a", "i", "l") + "," + domain("b", "i", "l"));
        try (DatasetSource s = reader.open(tmp, ReaderOptions.of(Map.of("samples-per-domain", "2")))) {
            assertEquals(List.of(new DomainInfo("a", 2), new DomainInfo("b", 2)), s.domains());
            assertEquals(List.of("a/0", "a/1", "b/0", "b/1"), all(s).stream().map(Sample::id).toList());
        }
        String msg = assertThrows(IllegalArgumentException.class,
                () -> reader.open(tmp, ReaderOptions.of(Map.of("split", "test")))).getMessage();
        assertTrue(msg.contains("format stream-dir has no option 'split'; its options are samples-per-domain"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> reader.open(tmp, ReaderOptions.of(Map.of("samples-per-domain", "0")))).getMessage();
        assertTrue(msg.contains("option samples-per-domain=0 is invalid"), msg);
    }

    @Test
    void aCorruptGzipDomainLosesTheRestOfThatDomainAndTheStreamGoesOn() throws IOException {
        // Domain "a": 600 grey 32x32 images in a gzip file written as stored deflate blocks of 16 KiB, the
        // lengths of block 10 (the one starting at byte 163840 of the IDX data, inside image 159) damaged: far past
        // what opening the stream reads, so the inflater fails in the middle of the pass. Domain "b" is intact.
        int n = 600;
        int size = 32 * 32;
        java.io.ByteArrayOutputStream idx = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(idx);
        for (int h : new int[] {0x0803, n, 32, 32}) {
            out.writeInt(h);
        }
        for (int i = 0; i < n * size; i++) {
            out.write(i % 251);
        }
        Path gz = tmp.resolve("a-images.gz");
        Files.write(gz, storedGzip(idx.toByteArray(), 16 * 1024, 10));
        IdxFiles.labels(tmp.resolve("a-labels"), new int[n]);
        IdxFiles.images3(tmp.resolve("b-images"), 2, 32, 32, new byte[2 * size]);
        IdxFiles.labels(tmp.resolve("b-labels"), 1, 2);
        manifest(2, "", domain("a", "a-images.gz", "a-labels") + "," + domain("b", "b-images", "b-labels"));
        try (DatasetSource s = reader.open(tmp, ReaderOptions.none())) {
            List<Sample> samples = all(s);
            List<String> ids = samples.stream().map(Sample::id).toList();
            assertEquals(List.of("b/0", "b/1"), ids.subList(ids.size() - 2, ids.size()), "domain b is replayed whole");
            int read = ids.size() - 2;
            assertTrue(read > 64 && read <= 159, read + " images of domain a before the damage");
            assertEquals((read - 1) * size % 251, (int) samples.get(read - 1).features().values()[0], "intact images are intact");
            assertEquals(n - read, s.skips().count(SkipLog.Reason.UNDECODABLE_IMAGE), s.skips().summary());
            String m = s.skips().messages().get(0);
            assertTrue(m.startsWith("undecodable image: " + gz + " image " + read + ": cannot be read (java.util.zip.ZipException: ")
                    && m.endsWith("; the rest of the domain is lost"), m);
        }
        // The same file intact replays whole: the damage, not the layout, lost the images.
        Files.write(gz, storedGzip(idx.toByteArray(), 16 * 1024, -1));
        try (DatasetSource s = reader.open(tmp, ReaderOptions.none())) {
            assertEquals(n + 2, all(s).size());
            assertEquals(0, s.skips().total());
        }
    }

    /**
     * {@code data} gzipped as stored (uncompressed) deflate blocks of {@code block} bytes, so the block
     * boundaries are known; block {@code damaged} (none when negative) gets a length and a length
     * complement that disagree, which every inflater refuses.
     */
    private static byte[] storedGzip(byte[] data, int block, int damaged) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        for (int off = 0, k = 0; off < data.length; off += block, k++) {
            int len = Math.min(block, data.length - off);
            int nlen = ~len & 0xFFFF;
            if (k == damaged) {
                nlen ^= 0x0100;
            }
            out.write(off + len == data.length ? 1 : 0);
            out.write(new byte[] {(byte) len, (byte) (len >> 8), (byte) nlen, (byte) (nlen >> 8)});
            out.write(data, off, len);
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        long c = crc.getValue();
        out.write(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                (byte) data.length, (byte) (data.length >> 8), (byte) (data.length >> 16), (byte) (data.length >> 24)});
        return out.toByteArray();
    }

    @Test
    void aDomainFileGoneAfterOpeningIsReportedAndTheStreamGoesOn() throws IOException {
        IdxFiles.images3(tmp.resolve("i"), 3, 1, 1, new byte[] {1, 2, 3});
        IdxFiles.labels(tmp.resolve("l"), 0, 1, 2);
        IdxFiles.images3(tmp.resolve("j"), 1, 1, 1, new byte[] {4});
        IdxFiles.labels(tmp.resolve("m"), 3);
        manifest(1, "", domain("a", "i", "l") + "," + domain("b", "j", "m"));
        try (DatasetSource s = reader.open(tmp, ReaderOptions.none())) {
            Files.delete(tmp.resolve("i"));
            assertEquals(List.of("b/0"), all(s).stream().map(Sample::id).toList());
            assertEquals(3, s.skips().count(SkipLog.Reason.UNREADABLE_DOMAIN));
            assertTrue(s.skips().messages().get(0).startsWith("unreadable domain: " + tmp.resolve("i") + ": cannot be opened ("),
                    s.skips().messages().get(0));
        }
    }

    private static String domain(String name, String images, String labels) {
        return "{\"name\":\"" + name + "\",\"images\":\"" + images + "\",\"labels\":\"" + labels + "\"}";
    }

    private void manifest(int version, String extra, String domains) throws IOException {
        Files.writeString(tmp.resolve("manifest.json"), "{\"format\":\"ctta-stream\",\"version\":" + version + extra
                + ",\"domains\":[" + domains + "]}");
    }
}
