package io.ctta.streams.source.wilds;

import static io.ctta.streams.source.wilds.SourceAssertions.all;
import static io.ctta.streams.source.wilds.SourceAssertions.domainsOf;
import static io.ctta.streams.source.wilds.SourceAssertions.ids;
import static io.ctta.streams.source.wilds.SourceAssertions.mean;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.fixtures.ImageFiles;
import io.ctta.streams.fixtures.WildsLayouts;
import io.ctta.streams.fixtures.WildsLayouts.IWildCamRow;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import io.ctta.streams.source.SourceRecords;
import io.ctta.streams.source.csv.CsvFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IWildCamReaderTest {

    @TempDir
    Path root;

    private final DatasetReaders readers = DatasetReaders.load();
    private Path dataDir;

    /**
     * Test locations 5 and 2 (OOD, as create_split.py draws them), train and id_test at location 0.
     * Location 5's first image is older than location 2's, so ordering by time and by domain differ.
     */
    @BeforeEach
    void writeDataset() {
        dataDir = WildsLayouts.iwildcam(root, List.of(
                new IWildCamRow("train", 0, 1, 30, "2012-03-13 02:41:07.000", "8a8e3a9a-21bc-11ea-a13a-137349068a90.jpg", 0, false),
                new IWildCamRow("id_test", 0, 2, 0, "2013-06-09 16:55:52.000", "8b1e2c6c-21bc-11ea-a13a-137349068a90.jpg", 1, false),
                new IWildCamRow("test", 2, 7, 3, "2014-01-02 08:00:00.5", "c2-b.jpg", 2, false),
                new IWildCamRow("test", 2, 7, 4, "2014-01-02 07:59:59.000", "c2-a.jpg", 3, false),
                new IWildCamRow("test", 2, 9, 3, "2014-01-03 23:10:00.000", "c2-c.jpg", 4, true),
                new IWildCamRow("test", 5, 11, 5, "2013-12-31 12:00:00.000", "c5-a.jpg", 5, false),
                new IWildCamRow("test", 5, 12, 6, "2014-02-01 12:00:00.000", "c5-b.jpg", 6, false)), 24, 16);
    }

    private DatasetSource open(Map<String, String> options) throws IOException {
        return readers.open("iwildcam", root, ReaderOptions.of(options));
    }

    @Test
    void theTestSplitByLocationInLocationOrderImagesByTime() throws IOException {
        try (DatasetSource s = open(Map.of())) {
            assertEquals(List.of(new DomainInfo("location-2", 3), new DomainInfo("location-5", 2)), s.domains());
            assertEquals(31, s.classes().getAsInt(), "max(y) + 1 over every split, as WILDS counts");
            List<Sample> samples = all(s);
            assertEquals(List.of("iwildcam_v2.0/train/c2-a.jpg", "iwildcam_v2.0/train/c2-b.jpg", "iwildcam_v2.0/train/c2-c.jpg",
                    "iwildcam_v2.0/train/c5-a.jpg", "iwildcam_v2.0/train/c5-b.jpg"), ids(samples));
            assertEquals(List.of(4, 3, 3, 5, 6), samples.stream().map(Sample::label).toList());
            Sample first = samples.get(0);
            assertArrayEquals(new int[] {3, 16, 24}, first.features().shape());
            int[] c = WildsLayouts.iwildcamColour(3);
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(c[ch], mean(first, ch), 3.0, "channel " + ch + " of the image of row c2-a");
            }
            assertEquals(1, samples.get(2).features().shape()[0], "a grey night JPEG stays one channel");
            Map<String, String> m = samples.get(1).metadata();
            assertEquals("2014-01-02T08:00:00.500", m.get("time"));
            assertEquals("2", m.get("location"));
            assertEquals("7", m.get("sequence"));
            assertEquals("2014", m.get("year"));
            assertEquals("test", m.get("split"));
            assertEquals("train/c2-b.jpg", m.get("source"));
            assertEquals("iwildcam_v2.0", m.get("dataset"));
            assertEquals("4", m.get("source.line"), "sorted by split, location, sequence, datetime: header, id_test, c2-a, then c2-b");
            assertEquals(0, s.skips().total());
        }
    }

    @Test
    void orderByTimePutsTheLocationThatStartsFirstFirst() throws IOException {
        try (DatasetSource s = open(Map.of("order", "time"))) {
            assertEquals(List.of("location-5", "location-2"), s.domains().stream().map(DomainInfo::name).toList());
        }
        try (DatasetSource s = open(Map.of("split", "test,id_test,train", "domain", "year", "order", "time"))) {
            assertEquals(List.of("year-2012", "year-2013", "year-2014"), domainsOf(all(s)));
        }
    }

    @Test
    void theCapAndTheDownscale() throws IOException {
        try (DatasetSource s = open(Map.of("samples-per-domain", "1", "max-side", "12", "color", "rgb"))) {
            List<Sample> samples = all(s);
            assertEquals(List.of("iwildcam_v2.0/train/c2-a.jpg", "iwildcam_v2.0/train/c5-a.jpg"), ids(samples));
            assertArrayEquals(new int[] {3, 8, 12}, samples.get(0).features().shape());
            int[] c = WildsLayouts.iwildcamColour(3);
            assertEquals(c[2], mean(samples.get(0), 2), 3.0, "area averaging keeps a flat colour");
        }
    }

    @Test
    void badRowsAndImagesAreSkippedAndNamed() throws IOException {
        Path csv = dataDir.resolve("metadata.csv");
        Files.writeString(csv, Files.readString(csv)
                + "7,test,2,0,7,x,3,3,,no-time.jpg,x\n"
                + "8,test,2,0,7,x,-1,3,2014-01-05 00:00:00.000,negative.jpg,x\n"
                + "9,test,2,0,7,x,3,3,2014-01-05 00:00:00.000,missing.jpg,x\n"
                + "10,test,2,0,7,x,3,3,2014-01-06 00:00:00.000,corrupt.jpg,x\n"
                + "11,test,2,0,7,x,3,3,2014-01-06 00:00:00.000,../../escape.jpg,x\n"
                + "12,tset,2,0,7,x,3,3,2014-01-06 00:00:00.000,c2-a.jpg,x\n");
        Files.writeString(dataDir.resolve("train/corrupt.jpg"), "not a jpeg");
        try (DatasetSource s = open(Map.of())) {
            assertEquals(5, s.domains().get(0).count(), "a missing or corrupt file is only found when it is read");
            assertEquals(5, all(s).size());
            SkipLog skips = s.skips();
            assertEquals(3, skips.count(SkipLog.Reason.BAD_ROW));
            assertEquals(1, skips.count(SkipLog.Reason.LABEL_OUT_OF_RANGE));
            assertEquals(1, skips.count(SkipLog.Reason.MISSING_FILE));
            assertEquals(1, skips.count(SkipLog.Reason.UNDECODABLE_IMAGE));
            List<String> m = skips.messages();
            assertEquals("bad metadata row: metadata.csv line 9: 'datetime' is empty; '%Y-%m-%d %H:%M:%S.%f' (not of the form"
                    + " 2013-06-09 16:55:52.000) was expected", m.get(0));
            assertEquals("label out of range: metadata.csv line 10: y is -1; labels are class indices >= 0", m.get(1));
            assertTrue(m.get(2).startsWith("bad metadata row: metadata.csv line 13: 'filename' is '../../escape.jpg'"), m.get(2));
            assertTrue(m.get(3).startsWith("bad metadata row: metadata.csv line 14: 'split' is 'tset'"), m.get(3));
            assertEquals("missing file: " + dataDir.resolve("train/missing.jpg") + " (metadata.csv line 11): the file does not exist",
                    m.get(4));
            assertEquals("undecodable image: " + dataDir.resolve("train/corrupt.jpg") + " (metadata.csv line 12): not an image format"
                    + " the JDK reads (PNG or JPEG expected)", m.get(5));
        }
    }

    @Test
    void aMissingDatasetOrColumnIsAClearError() throws IOException {
        String msg = assertThrows(NoSuchFileException.class, () -> readers.open("iwildcam", root.resolve("elsewhere"),
                ReaderOptions.none())).getMessage();
        assertTrue(msg.contains(root.resolve("elsewhere/iwildcam_v2.0/metadata.csv").toString())
                && msg.contains("the root_dir the wilds package downloaded to"), msg);
        // The dataset directory itself is accepted as the location too.
        try (DatasetSource s = readers.open("iwildcam", dataDir, ReaderOptions.none())) {
            assertEquals(5, DomainInfo.total(s.domains()));
        }
        Files.writeString(dataDir.resolve("metadata.csv"), ",split,location_remapped,y,datetime,filename\n");
        msg = assertThrows(CsvFormatException.class, () -> open(Map.of())).getMessage();
        assertTrue(msg.contains("no column 'sequence_remapped'"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of("split", "tests"))).getMessage();
        assertTrue(msg.contains("'tests' is not a split of iwildcam_v2.0; its splits are train, val, test, id_val, id_test"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of("domain", "hospital"))).getMessage();
        assertTrue(msg.startsWith("option domain=hospital is invalid; give one of location, year"), msg);
    }

    @Test
    void datetimesParseAsPythonsStrptimeDoes() {
        assertEquals(LocalDateTime.of(2013, 6, 9, 16, 55, 52), IWildCamDataset.parseDatetime("2013-06-09 16:55:52.000"));
        assertEquals(LocalDateTime.of(2013, 6, 9, 6, 5, 2, 120_000_000), IWildCamDataset.parseDatetime("2013-6-9 6:5:2.12"));
        assertEquals(123_456_000, IWildCamDataset.parseDatetime("2013-06-09 16:55:52.123456").getNano());
        for (String bad : List.of("2013-06-09 16:55:52", "2013-06-09T16:55:52.000", "2013-13-09 16:55:52.000",
                "2013-06-09 16:55:52.1234567")) {
            assertThrows(IllegalArgumentException.class, () -> IWildCamDataset.parseDatetime(bad), bad);
        }
    }
    @Test
    void aPhotographTooLargeForARecordIsRefusedFromItsHeaderAndTheStreamGoesOn() throws IOException {
        // c2-b.jpg becomes a PNG whose header declares 4000x3000 RGB (36 MB of pixels) but whose data would not
        // even decode: refused as too large, not as undecodable, so it was never decoded.
        ImageFiles.pngHeaderOnly(dataDir.resolve("train/c2-b.jpg"), 4000, 3000, 2);
        try (DatasetSource s = open(Map.of())) {
            List<String> ids = new ArrayList<>();
            new SourceRecords(s, "cam", 0).forEachRemaining(r -> ids.add(r.id()));
            assertEquals(List.of("iwildcam_v2.0/train/c2-a.jpg", "iwildcam_v2.0/train/c2-c.jpg", "iwildcam_v2.0/train/c5-a.jpg",
                    "iwildcam_v2.0/train/c5-b.jpg"), ids);
            assertEquals(1, s.skips().total());
            assertEquals(1, s.skips().count(SkipLog.Reason.TOO_LARGE));
            assertEquals("record too large: " + dataDir.resolve("train/c2-b.jpg") + " (metadata.csv line 4): a 4000x3000 PNG"
                    + " makes a [3, 3000, 4000] record of more than 36000000 bytes, above the 1000000-byte record limit;"
                    + " refused before decoding; replay with --max-side 665 or less, or a larger --max-record-bytes",
                    s.skips().messages().get(0));
        }
        // The check is on the size after the downscale: with --max-side 600 the image is small enough, and
        // decoding it shows the data is bad.
        try (DatasetSource s = open(Map.of("max-side", "600"))) {
            new SourceRecords(s, "cam", 0).forEachRemaining(r -> { });
            assertEquals(1, s.skips().count(SkipLog.Reason.UNDECODABLE_IMAGE), s.skips().summary());
            assertEquals(0, s.skips().count(SkipLog.Reason.TOO_LARGE));
        }
        // A tighter record limit refuses the downscaled size too, and says so.
        try (DatasetSource s = open(Map.of("max-side", "600"))) {
            new SourceRecords(s, "cam", 0, 500_000).forEachRemaining(r -> { });
            String m = s.skips().messages().get(0);
            assertTrue(m.contains("a 4000x3000 PNG shrunk to max side 600 makes a [3, 450, 600] record of more than 810000 bytes,"
                    + " above the 500000-byte record limit; refused before decoding; replay with --max-side 469 or less"), m);
        }
    }

    @Test
    void aRowTheRecordCannotCarryIsSkippedNamingItsFileAndLine() throws IOException {
        // A 1,200-byte relative path: the file exists and decodes, but a metadata value is at most 1,024 bytes.
        String longName = String.join("/", java.util.Collections.nCopies(6, "d".repeat(199))) + "/long.jpg";
        Path csv = dataDir.resolve("metadata.csv");
        Files.writeString(csv, Files.readString(csv) + "7,test,2,0,7,x,3,3,2014-01-05 00:00:00.000," + longName + ",x\n");
        ImageFiles.jpeg(dataDir.resolve("train").resolve(longName), ImageFiles.solid(24, 16, 1, 2, 3), 95);
        try (DatasetSource s = open(Map.of())) {
            assertEquals(5, all(s).size());
            assertEquals(1, s.skips().count(SkipLog.Reason.BAD_ROW));
            String m = s.skips().messages().get(0);
            assertTrue(m.startsWith("bad metadata row: " + dataDir.resolve("train").resolve(longName) + " (metadata.csv line 9): "
                    + "metadata value of 'source' is "), m);
            assertFalse(m.contains("[Ljava"), m);
        }
    }
}
