package io.ctta.streams.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CorruptionStreamTest {
    @Test
    void domainsFollowTheGivenOrderAndAreReproducible() {
        LabeledImages test = TestImages.random(50, 28, 28, 1);
        List<Corruption> order = List.of(Corruption.CONTRAST, Corruption.GAUSSIAN_NOISE,
                Corruption.ROTATE);
        List<Domain> a = CorruptionStream.continual(test, order, 5, 77, 20);
        assertEquals(List.of("contrast-5", "gaussian_noise-5", "rotate-5"),
                a.stream().map(Domain::name).toList());
        for (Domain d : a) {
            assertEquals(20, d.images().count());
        }
        assertEquals(a, CorruptionStream.continual(test, order, 5, 77, 20));
        assertNotEquals(a.get(1), CorruptionStream.continual(test, order, 5, 78, 20).get(1));
    }

    @Test
    void samplesAreWithoutReplacementAndDomainImagesAreCorruptedTestImages() {
        int[] idx = CorruptionStream.sample(100, 100, 5);
        Set<Integer> seen = new HashSet<>();
        for (int i : idx) {
            seen.add(i);
        }
        assertEquals(100, seen.size());
        LabeledImages test = TestImages.random(30, 4, 4, 2);
        // brightness on an image is x + c; with the sampled indices we can recompute it.
        Domain d = CorruptionStream.continual(test, List.of(Corruption.BRIGHTNESS), 1, 9, 30)
                .get(0);
        long seed = Corruptor.mix64(9 ^ Corruptor.mix64(1));
        int[] chosen = CorruptionStream.sample(30, 30, seed);
        assertEquals(Corruptor.corrupt(test.select(chosen), Corruption.BRIGHTNESS, 1, seed),
                d.images());
    }

    @Test
    void defaultOrderHoldsEveryCorruptionOnce() {
        assertEquals(EnumSet.allOf(Corruption.class),
                EnumSet.copyOf(CorruptionStream.DEFAULT_ORDER));
        assertEquals(Corruption.values().length, CorruptionStream.DEFAULT_ORDER.size());
    }

    @Test
    void badArgumentsAreRejected() {
        LabeledImages test = TestImages.random(5, 2, 2, 1);
        assertThrows(IllegalArgumentException.class,
                () -> CorruptionStream.continual(test, List.of(Corruption.CONTRAST), 1, 0, 6));
        assertThrows(IllegalArgumentException.class,
                () -> CorruptionStream.continual(test, List.of(Corruption.CONTRAST), 0, 0, 5));
        assertThrows(IllegalArgumentException.class,
                () -> CorruptionStream.continual(test, List.of(), 1, 0, 5));
    }
}
