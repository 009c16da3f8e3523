package io.ctta.streams.source.nevis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.source.nevis.NevisStream.Task;
import io.ctta.streams.source.nevis.NevisStream.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The task order against the published stream definition: the test resource lists every variant's
 * stream as NevisStream expands NEVIS_STREAM_PER_YEAR (google-deepmind/dm_nevis,
 * dm_nevis/streams/nevis_stream.py), written out independently of the Java table.
 */
class NevisStreamTest {

    private static Map<Variant, List<Task>> published() throws IOException {
        Map<Variant, List<Task>> out = new EnumMap<>(Variant.class);
        try (InputStream in = NevisStreamTest.class.getResourceAsStream("/nevis/published-streams.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                out.computeIfAbsent(Variant.valueOf(f[0]), v -> new ArrayList<>())
                        .add(new Task(Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3]));
            }
        }
        return out;
    }

    @Test
    void everyVariantIsThePublishedStreamTaskForTask() throws IOException {
        Map<Variant, List<Task>> published = published();
        assertEquals(Set.of(Variant.values()), published.keySet());
        for (Variant v : Variant.values()) {
            assertEquals(published.get(v), NevisStream.tasks(v), v.name());
        }
    }

    @Test
    void countsAsTheBenchmarkStatesThem() {
        // entries (all years), distinct names, entries before 2020, distinct names before 2020
        Map<Variant, int[]> counts = Map.of(
                Variant.FULL, new int[] {106, 97, 92, 85},
                Variant.SHORT, new int[] {29, 28, 25, 24},
                Variant.TINY, new int[] {7, 6, 6, 5},
                Variant.DEBUG, new int[] {2, 2, 2, 2},
                Variant.IMAGENET_ONLY, new int[] {1, 1, 1, 1},
                Variant.MAJOR_DOMAIN_ONLY, new int[] {70, 64, 56, 52},
                Variant.LARGE_DATASET_ONLY, new int[] {67, 64, 53, 51});
        for (Variant v : Variant.values()) {
            int[] c = counts.get(v);
            assertEquals(c[0], NevisStream.tasks(v).size(), v.name());
            assertEquals(c[1], NevisStream.datasets(v, NevisStream.ALL_YEARS).size(), v.name());
            assertEquals(c[2], NevisStream.tasks(v, NevisStream.DEFAULT_STOP_YEAR).size(), v.name());
            assertEquals(c[3], NevisStream.datasets(v, NevisStream.DEFAULT_STOP_YEAR).size(), v.name());
        }
    }

    @Test
    void theTinyStreamAndItsRepeatedMnist() {
        assertEquals(List.of(new Task(0, 2004, "MNIST"), new Task(1, 2010, "Caltech 101"), new Task(2, 2014, "Pascal 2012"),
                new Task(3, 2018, "CIFAR 100"), new Task(4, 2018, "MNIST"),
                new Task(5, 2018, "ISBI-ISIC 2017 melanoma classification challenge")),
                NevisStream.tasks(Variant.TINY, NevisStream.DEFAULT_STOP_YEAR));
        assertEquals(List.of("MNIST", "Caltech 101", "Pascal 2012", "CIFAR 100", "ISBI-ISIC 2017 melanoma classification challenge"),
                NevisStream.datasets(Variant.TINY, NevisStream.DEFAULT_STOP_YEAR));
        assertEquals(new Task(6, 2020, "CUB 200"), NevisStream.tasks(Variant.TINY).get(6));
    }

    @Test
    void taskLabelsAreUniqueWithinEveryVariant() {
        for (Variant v : Variant.values()) {
            Set<String> labels = new HashSet<>();
            for (Task t : NevisStream.tasks(v)) {
                assertTrue(labels.add(t.label()), v + ": " + t.label());
            }
        }
        assertEquals("Caltech cars, motorbikes (2006)", NevisStream.tasks(Variant.FULL).get(14).label());
    }

    @Test
    void variantsParseCaseInsensitively() {
        assertEquals(Variant.SHORT, NevisStream.variant("short"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NevisStream.variant("mini")).getMessage()
                .contains("[FULL, SHORT, TINY, DEBUG, IMAGENET_ONLY, MAJOR_DOMAIN_ONLY, LARGE_DATASET_ONLY]"));
    }
}
