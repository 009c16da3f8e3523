package io.ctta.streams.source.nevis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.fixtures.ImageFiles;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TINY stream over three of its five datasets on disk. */
class NevisReaderTest {

    @TempDir
    Path root;

    private final DatasetReaders readers = DatasetReaders.load();

    @BeforeEach
    void writeDatasets() throws IOException {
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 2; i++) {
                ImageFiles.png(root.resolve("mnist/" + c + "/" + i + ".png"), ImageFiles.greyPattern(4, 4, c * 2 + i));
            }
        }
        ImageFiles.jpeg(root.resolve("caltech101/accordion/image_0001.jpg"), ImageFiles.solid(6, 5, 200, 10, 10), 95);
        ImageFiles.jpeg(root.resolve("caltech101/airplanes/image_0001.jpg"), ImageFiles.solid(6, 5, 10, 10, 200), 95);
        for (String c : List.of("apple", "bee", "camel", "dolphin")) {
            ImageFiles.png(root.resolve("cifar100/train/" + c + "/0.png"), ImageFiles.pattern(3, 3, c.length()));
        }
        Files.writeString(root.resolve("nevis-datasets.json"),
                "{\"MNIST\": \"mnist\", \"Caltech 101\": \"caltech101\", \"CIFAR 100\": \"cifar100/train\"}");
    }

    private DatasetSource open(Map<String, String> options) throws IOException {
        return readers.open("nevis", root, ReaderOptions.of(options));
    }

    @Test
    void tasksInPublishedOrderWithOneLabelOffsetPerDataset() throws IOException {
        try (DatasetSource s = open(Map.of("variant", "tiny", "order", "sorted"))) {
            assertEquals(List.of(
                    new DomainInfo("MNIST (2004)", 6, Map.of("task.id", "0", "task.name", "MNIST", "task.year", "2004",
                            "task.label-offset", "0", "task.classes", "3")),
                    new DomainInfo("Caltech 101 (2010)", 2, Map.of("task.id", "1", "task.name", "Caltech 101", "task.year", "2010",
                            "task.label-offset", "3", "task.classes", "2")),
                    new DomainInfo("CIFAR 100 (2018)", 4, Map.of("task.id", "3", "task.name", "CIFAR 100", "task.year", "2018",
                            "task.label-offset", "5", "task.classes", "4")),
                    new DomainInfo("MNIST (2018)", 6, Map.of("task.id", "4", "task.name", "MNIST", "task.year", "2018",
                            "task.label-offset", "0", "task.classes", "3"))), s.domains(),
                    "Pascal 2012 and ISBI-ISIC are not on disk; the second MNIST keeps the first one's labels");
            assertEquals(9, s.classes().getAsInt());
            assertEquals(2, s.skips().count(SkipLog.Reason.MISSING_TASK));
            assertEquals("task missing on disk: task 2 Pascal 2012 (2014): 'Pascal 2012' is not in nevis-datasets.json;"
                    + " the task is left out", s.skips().messages().get(0));
            List<Sample> samples = new ArrayList<>();
            s.samples().forEachRemaining(samples::add);
            assertEquals(18, samples.size());
            assertEquals(18, new HashSet<>(samples.stream().map(Sample::id).toList()).size(), "the repeated task has its own ids");
            Sample airplane = samples.get(7);
            assertEquals("nevis/1/caltech101/airplanes/image_0001.jpg", airplane.id());
            assertEquals(4, airplane.label(), "offset 3 + airplanes (class 1 of accordion, airplanes)");
            assertEquals("Caltech 101 (2010)", airplane.domain());
            assertEquals("airplanes", airplane.metadata().get("class"));
            assertEquals("3", airplane.metadata().get("task.label-offset"));
            assertArrayEquals(new int[] {3, 5, 6}, airplane.features().shape());
            assertEquals(200, airplane.features().values()[2 * 30 + 7], 4.0);
            Sample dolphin = samples.get(11);
            assertEquals(5 + 3, dolphin.label());
            assertEquals("cifar100/train/dolphin/0.png", dolphin.metadata().get("source"));
            assertEquals(1, samples.get(0).features().shape()[0], "MNIST's grey PNGs stay grey");
            assertEquals(List.of(0, 0, 1, 1, 2, 2), samples.subList(12, 18).stream().map(Sample::label).toList());
        }
    }

    @Test
    void theStopYearAndAFolderThatIsGoneAreReported() throws IOException {
        Files.writeString(root.resolve("nevis-datasets.json"), "{\"MNIST\": \"mnist\", \"CUB 200\": \"cub\"}");
        try (DatasetSource s = open(Map.of("variant", "TINY", "stop-year", "2022"))) {
            assertEquals(List.of("MNIST (2004)", "MNIST (2018)"), s.domains().stream().map(DomainInfo::name).toList());
            assertEquals(5, s.skips().count(SkipLog.Reason.MISSING_TASK));
            assertTrue(s.skips().messages().get(4).startsWith("task missing on disk: task 6 CUB 200 (2020): its folder "
                    + root.resolve("cub") + " does not exist"), s.skips().messages().get(4));
        }
    }

    @Test
    void namesAreTheBenchmarksOwnAndNothingStandsInForAMissingTask() throws IOException {
        Files.writeString(root.resolve("nevis-datasets.json"), "{\"Caltech101\": \"caltech101\"}");
        String msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of("variant", "tiny"))).getMessage();
        assertTrue(msg.contains("'Caltech101' is not a NEVIS'22 dataset name") && msg.contains("e.g. 'Caltech 101'"), msg);
        Files.writeString(root.resolve("nevis-datasets.json"), "{\"Fashion MNIST\": \"mnist\"}");
        msg = assertThrows(NoSuchFileException.class, () -> open(Map.of("variant", "tiny"))).getMessage();
        assertTrue(msg.contains("none of the 6 tasks of NEVIS'22 TINY before 2020 is on disk"), msg);
        Files.writeString(root.resolve("nevis-datasets.json"), "{\"MNIST\": \"../elsewhere\"}");
        msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of())).getMessage();
        assertTrue(msg.contains("is not inside"), msg);
        Files.delete(root.resolve("nevis-datasets.json"));
        msg = assertThrows(NoSuchFileException.class, () -> open(Map.of())).getMessage();
        assertTrue(msg.startsWith(root.resolve("nevis-datasets.json").toString()), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> open(Map.of("variant", "mini"))).getMessage();
        assertTrue(msg.startsWith("option variant=mini is invalid"), msg);
    }
}
