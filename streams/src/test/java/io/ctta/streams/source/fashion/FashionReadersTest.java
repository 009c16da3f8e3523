package io.ctta.streams.source.fashion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.data.Corruption;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.IdxWriter;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.data.PermutedStreams;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Fashion-MNIST family on a small Fashion-MNIST directory written by the test (28x28, real IDX files). */
class FashionReadersTest {

    @TempDir
    Path dir;

    private final DatasetReaders readers = DatasetReaders.load();
    private LabeledImages test;
    private LabeledImages train;

    private static LabeledImages random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] px = new byte[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rng.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(10);
        }
        return new LabeledImages(n, 28, 28, px, labels);
    }

    @BeforeEach
    void writeFashionMnist() throws IOException {
        test = random(12, 1);
        train = random(20, 2);
        IdxWriter.write(test, dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
        IdxWriter.write(train, dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
    }

    private List<Sample> samples(String format, Map<String, String> options) throws IOException {
        try (DatasetSource s = readers.open(format, dir, ReaderOptions.of(options))) {
            List<Sample> out = new ArrayList<>();
            s.samples().forEachRemaining(out::add);
            assertEquals(DomainInfo.total(s.domains()), out.size());
            assertEquals(10, s.classes().getAsInt());
            return out;
        }
    }

    @Test
    void corruptionsAreTheContinualStreamWithTheOldDefaults() throws IOException {
        List<Sample> s = samples("fashion-mnist-c", Map.of("corruptions", "contrast,pixelate", "severity", "3", "seed", "7",
                "samples-per-domain", "5"));
        List<Domain> expected = CorruptionStream.continual(test, List.of(Corruption.fromId("contrast"), Corruption.fromId("pixelate")),
                3, 7, 5);
        assertEquals(10, s.size());
        assertEquals("contrast-3/0", s.get(0).id());
        assertEquals("pixelate-3", s.get(9).domain());
        assertEquals(expected.get(1).images().label(4), s.get(9).label());
        float[] px = expected.get(1).images().featuresOf(4);
        assertEquals(java.util.Arrays.toString(px), java.util.Arrays.toString(s.get(9).features().values()));
        // Defaults: all corruptions in the standard order, severity 5, and samples capped at the test set size.
        assertEquals(CorruptionStream.DEFAULT_ORDER.size() * 12, samples("fashion-mnist-c", Map.of()).size());
    }

    @Test
    void cleanAndPermutedStreams() throws IOException {
        List<Sample> clean = samples("fashion-mnist", Map.of("samples-per-domain", "4"));
        assertEquals(List.of("clean/0", "clean/1", "clean/2", "clean/3"), clean.stream().map(Sample::id).toList());
        assertEquals(test.label(3), clean.get(3).label());
        assertEquals(20, samples("fashion-mnist", Map.of("split", "train")).size());

        List<Sample> permuted = samples("label-permuted", Map.of("tasks", "3", "task-length", "4", "seed", "5"));
        List<Domain> expected = PermutedStreams.labelPermuted(train, 3, 4, 10, 5);
        assertEquals(12, permuted.size());
        assertEquals(expected.get(2).name(), permuted.get(11).domain());
        assertEquals(expected.get(2).images().label(3), permuted.get(11).label());
        assertEquals(8, samples("input-permuted", Map.of("tasks", "2", "task-length", "4")).size());
    }

    @Test
    void badOptionsNameTheOption() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> samples("fashion-mnist-c", Map.of("severity", "6"))).getMessage();
        assertTrue(msg.startsWith("option severity=6 is invalid; give a whole number from 1 to 5"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> samples("fashion-mnist-c", Map.of("corruptions", "contrast,sunshine"))).getMessage();
        assertTrue(msg.startsWith("option corruptions=contrast,sunshine: "), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> samples("label-permuted", Map.of("samples-per-domain", "3"))).getMessage();
        assertTrue(msg.contains("format label-permuted has no option 'samples-per-domain'"), msg);
    }
    @Test
    void permutedTasksAreBuiltWhenReachedAndEqualTheWholeList() throws IOException {
        for (String kind : List.of("label-permuted", "input-permuted")) {
            List<Sample> lazy = samples(kind, Map.of("tasks", "5", "task-length", "7", "seed", "3"));
            List<Domain> whole = kind.equals("label-permuted") ? PermutedStreams.labelPermuted(train, 5, 7, 10, 3)
                    : PermutedStreams.inputPermuted(train, 5, 7, 3);
            assertEquals(35, lazy.size());
            for (int i = 0; i < lazy.size(); i++) {
                Domain d = whole.get(i / 7);
                Sample s = lazy.get(i);
                assertEquals(d.name() + "/" + (i % 7), s.id());
                assertEquals(d.name(), s.domain());
                assertEquals(d.images().label(i % 7), s.label());
                assertTrue(java.util.Arrays.equals(d.images().featuresOf(i % 7), s.features().values()), kind + " sample " + i);
            }
        }
        // A million tasks of 60,000 samples built up front would need far more memory than any machine has; built one
        // at a time, the first records come at once.
        try (DatasetSource s = readers.open("label-permuted", dir, ReaderOptions.of(Map.of("tasks", "1000000", "task-length", "60000")))) {
            assertEquals(1_000_000, s.domains().size());
            assertEquals(new DomainInfo("label-permuted-999999", 60_000), s.domains().get(999_999));
            java.util.Iterator<Sample> it = s.samples();
            assertEquals("label-permuted-000000/0", it.next().id());
            assertEquals("label-permuted-000000/1", it.next().id());
        }
    }
}
