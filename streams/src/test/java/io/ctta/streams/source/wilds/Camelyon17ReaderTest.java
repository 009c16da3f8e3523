package io.ctta.streams.source.wilds;

import static io.ctta.streams.source.wilds.SourceAssertions.all;
import static io.ctta.streams.source.wilds.SourceAssertions.ids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.fixtures.ImageFiles;
import io.ctta.streams.fixtures.WildsLayouts;
import io.ctta.streams.fixtures.WildsLayouts.CamelyonRow;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Camelyon17ReaderTest {

    @TempDir
    Path root;

    private final DatasetReaders readers = DatasetReaders.load();

    /** Patients by hospital as the dataset numbers them (center = patient / 20); CSV split 0 or 1. */
    @BeforeEach
    void writeDataset() {
        WildsLayouts.camelyon17(root, List.of(
                new CamelyonRow("004", 4, 3328, 21792, 1, 4, 0, 0, 1),
                new CamelyonRow("004", 4, 3200, 22272, 0, 4, 0, 1, 2),
                new CamelyonRow("021", 2, 1024, 2048, 0, 11, 1, 0, 3),
                new CamelyonRow("042", 3, 640, 960, 1, 23, 2, 0, 4),
                new CamelyonRow("051", 2, 96, 192, 0, 26, 2, 1, 5),
                new CamelyonRow("064", 0, 32, 64, 1, 30, 3, 0, 6),
                new CamelyonRow("088", 1, 0, 0, 0, 44, 4, 1, 7),
                new CamelyonRow("051", 2, 960, 192, 2, 26, 2, 0, 8),
                new CamelyonRow("001", 0, 1, 1, 0, 0, 0, 7, 9)), 8);
    }

    private DatasetSource open(Map<String, String> options) throws IOException {
        return readers.open("camelyon17", root, ReaderOptions.of(options));
    }

    private static String patch(String patient, int node, int x, int y) {
        String folder = "patient_" + patient + "_node_" + node;
        return "camelyon17_v1.0/patches/" + folder + "/patch_" + folder + "_x_" + x + "_y_" + y + ".png";
    }

    @Test
    void theTestSplitIsHospital2AndPatchesAreRgb() throws IOException {
        try (DatasetSource s = open(Map.of())) {
            assertEquals(List.of(new DomainInfo("hospital-2", 2)), s.domains(), "the tumor = 2 row is refused when the index is built");
            assertEquals(2, s.classes().getAsInt());
            List<Sample> samples = all(s);
            assertEquals(List.of(patch("042", 3, 640, 960), patch("051", 2, 96, 192)), ids(samples));
            assertEquals(List.of(1, 0), samples.stream().map(Sample::label).toList());
            Sample first = samples.get(0);
            assertArrayEquals(new int[] {3, 8, 8}, first.features().shape(), "the RGBA PNG is converted to RGB");
            float[] v = first.features().values();
            assertEquals(ImageFiles.red(4, 5, 2), (int) v[2 * 8 + 5]);
            assertEquals(ImageFiles.green(4, 5, 2), (int) v[64 + 2 * 8 + 5]);
            assertEquals(ImageFiles.blue(4, 0, 7), (int) v[128 + 7 * 8], "alpha 0 at x = 0, colour kept");
            assertEquals(Map.of("dataset", "camelyon17_v1.0", "source", patch("042", 3, 640, 960).substring(16),
                    "source.line", "5", "split", "test", "hospital", "2", "slide", "23", "patient", "042", "node", "3"),
                    first.metadata());
            assertEquals(1, s.skips().count(SkipLog.Reason.LABEL_OUT_OF_RANGE));
            assertEquals("label out of range: metadata.csv line 9: tumor is 2; Camelyon17 labels are 0 and 1",
                    s.skips().messages().get(0));
        }
    }

    @Test
    void splitsFollowTheDatasetClassNotTheCsvAlone() throws IOException {
        try (DatasetSource s = open(Map.of("split", "all"))) {
            assertEquals(List.of(new DomainInfo("hospital-0", 2), new DomainInfo("hospital-1", 1), new DomainInfo("hospital-2", 2),
                    new DomainInfo("hospital-3", 1), new DomainInfo("hospital-4", 1)), s.domains());
            assertEquals(1, s.skips().count(SkipLog.Reason.BAD_ROW), "split 7 is no split id");
        }
        try (DatasetSource s = open(Map.of("split", "val"))) {
            assertEquals(List.of(patch("021", 2, 1024, 2048)), ids(all(s)), "hospital 1 is OOD validation whatever the CSV says");
        }
        try (DatasetSource s = open(Map.of("split", "id_val"))) {
            List<Sample> samples = all(s);
            assertEquals(List.of(patch("004", 4, 3200, 22272), patch("088", 1, 0, 0)), ids(samples));
            assertEquals("id_val", samples.get(1).metadata().get("split"));
        }
        try (DatasetSource s = open(Map.of("split", "train", "split-scheme", "mixed-to-test", "domain", "slide"))) {
            assertEquals(List.of("slide-4", "slide-23", "slide-30"), s.domains().stream().map(DomainInfo::name).toList(),
                    "mixed-to-test moves slide 23 into train");
        }
    }

    @Test
    void optionsThatDoNotFitTheDatasetAreRefused() {
        String msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of("order", "time"))).getMessage();
        assertTrue(msg.contains("camelyon17_v1.0 has no time field; use --option order=domain"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of("split-scheme", "random"))).getMessage();
        assertTrue(msg.contains("camelyon17_v1.0 accepts official, mixed-to-test"), msg);
    }
}
