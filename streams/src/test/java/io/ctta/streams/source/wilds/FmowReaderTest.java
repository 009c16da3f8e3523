package io.ctta.streams.source.wilds;

import static io.ctta.streams.source.wilds.SourceAssertions.all;
import static io.ctta.streams.source.wilds.SourceAssertions.ids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.fixtures.ImageFiles;
import io.ctta.streams.fixtures.WildsLayouts;
import io.ctta.streams.fixtures.WildsLayouts.FmowRow;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FmowReaderTest {

    @TempDir
    Path root;

    private final DatasetReaders readers = DatasetReaders.load();
    private Path dataDir;

    /** Row i is images/rgb_img_i.png, seq rows included. */
    @BeforeEach
    void writeDataset() {
        dataDir = WildsLayouts.fmow(root, List.of(
                new FmowRow("train", "airport", "USA", "2010-06-03T16:12:40Z", 0),
                new FmowRow("test", "crop_field", "KEN", "2016-11-21T08:05:12Z", 1),
                new FmowRow("seq", "zoo", "FRA", "2017-04-02T10:30:00Z", 2),
                new FmowRow("val", "zoo", "FRA", "2014-03-01T00:00:00Z", 3),
                new FmowRow("val", "dam", "KOR", "2011-05-05T05:05:05.123Z", 4),
                new FmowRow("test", "dam", "USA", "2014-07-07T07:07:07Z", 5),
                new FmowRow("train", "port", "USA", "2014-01-01T00:00:00Z", 6),
                new FmowRow("test", "wind_farm", "XYZ", "2017-12-31T23:59:59+00:00", 7),
                new FmowRow("train", "spaceport", "USA", "2009-01-01T00:00:00Z", 8),
                new FmowRow("train", "barn", "USA", "yesterday", 9),
                new FmowRow("test", "barn", "ATA", "2016-02-04T15:49:09Z", 10)), 6);
    }

    private DatasetSource open(Map<String, String> options) throws IOException {
        return readers.open("fmow", root, ReaderOptions.of(options));
    }

    @Test
    void theOodTestSplitIsTheTestRowsFrom2016ByYear() throws IOException {
        try (DatasetSource s = open(Map.of())) {
            assertEquals(List.of(new DomainInfo("year-2016", 2), new DomainInfo("year-2017", 1)), s.domains());
            assertEquals(62, s.classes().getAsInt());
            List<Sample> samples = all(s);
            assertEquals(List.of("fmow_v1.1/images/rgb_img_10.png", "fmow_v1.1/images/rgb_img_1.png",
                    "fmow_v1.1/images/rgb_img_7.png"), ids(samples), "by time: 2016-02-04, 2016-11-21, 2017-12-31");
            assertEquals(List.of(FmowDataset.CATEGORIES.indexOf("barn"), FmowDataset.CATEGORIES.indexOf("crop_field"),
                    FmowDataset.CATEGORIES.indexOf("wind_farm")), samples.stream().map(Sample::label).toList());
            Sample kenya = samples.get(1);
            assertArrayEquals(new int[] {3, 6, 6}, kenya.features().shape());
            assertEquals(ImageFiles.red(1, 4, 3), (int) kenya.features().values()[3 * 6 + 4], "rgb_img_1.png is row 1's image");
            assertEquals(Map.of("dataset", "fmow_v1.1", "source", "images/rgb_img_1.png", "source.line", "3", "split", "test",
                    "region", "Africa", "country", "KEN", "time", "2016-11-21T08:05:12Z", "year", "2016", "class", "crop_field"),
                    kenya.metadata());
            assertEquals("Other", samples.get(2).metadata().get("region"), "a code absent from the mapping is Other");
            assertEquals("Other", samples.get(0).metadata().get("region"), "an empty region in the mapping (Antarctica)");
        }
    }

    @Test
    void everySplitFollowsTheTimeAfter2016Rules() throws IOException {
        try (DatasetSource s = open(Map.of("split", "all"))) {
            List<Sample> samples = all(s);
            assertEquals(List.of("year-2010", "year-2011", "year-2014", "year-2016", "year-2017"),
                    s.domains().stream().map(DomainInfo::name).toList());
            // 2010 train; 2011 val -> id_val; 2014 val -> OOD val; the 2014 test and train rows and the seq row are in no split.
            assertEquals(List.of("rgb_img_0", "rgb_img_4", "rgb_img_3", "rgb_img_10", "rgb_img_1", "rgb_img_7"),
                    samples.stream().map(x -> x.metadata().get("source").substring(7, x.metadata().get("source").length() - 4)).toList());
            assertEquals(List.of("train", "id_val", "val", "test", "test", "test"),
                    samples.stream().map(x -> x.metadata().get("split")).toList());
            assertEquals(1, s.skips().count(SkipLog.Reason.LABEL_OUT_OF_RANGE), "spaceport is no FMoW category");
            assertEquals(1, s.skips().count(SkipLog.Reason.BAD_ROW), "'yesterday' is no timestamp");
            assertTrue(s.skips().messages().get(1).startsWith("bad metadata row: rgb_metadata.csv line 11: 'timestamp' is 'yesterday'"),
                    s.skips().messages().toString());
        }
        try (DatasetSource s = open(Map.of("split", "id_test,test", "split-scheme", "time_after_2015"))) {
            assertEquals(List.of("year-2016", "year-2017"), s.domains().stream().map(DomainInfo::name).toList());
        }
    }

    @Test
    void regionDomainsInWildsRegionIndexOrder() throws IOException {
        // First appearance over every row, seq included: Americas (row 0), Africa, Europe (the seq row), Asia, Other.
        try (DatasetSource s = open(Map.of("split", "all", "domain", "region", "order", "domain"))) {
            assertEquals(List.of("region-Americas", "region-Africa", "region-Europe", "region-Asia", "region-Other"),
                    s.domains().stream().map(DomainInfo::name).toList());
        }
    }

    @Test
    void missingSideFilesAndUnsupportedSchemesAreClearErrors() throws IOException {
        String msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of("split-scheme", "mixed-to-test"))).getMessage();
        assertTrue(msg.contains("time_after_<YEAR> for YEAR 2002..2018"), msg);
        Files.delete(dataDir.resolve("country_code_mapping.csv"));
        msg = assertThrows(NoSuchFileException.class, () -> open(Map.of())).getMessage();
        assertTrue(msg.startsWith(dataDir.resolve("country_code_mapping.csv").toString()), msg);
    }

    @Test
    void timestampsParseAsPandasReadsIso8601() {
        assertEquals(Instant.parse("2016-02-04T15:49:09Z"), FmowDataset.parseTimestamp("2016-02-04T15:49:09Z"));
        assertEquals(Instant.parse("2016-02-04T13:49:09.500Z"), FmowDataset.parseTimestamp("2016-02-04 15:49:09.5+02:00"));
        assertEquals(Instant.parse("2016-02-04T15:49:09Z"), FmowDataset.parseTimestamp("2016-02-04T15:49:09"));
        assertThrows(IllegalArgumentException.class, () -> FmowDataset.parseTimestamp("04/02/2016"));
    }
}
