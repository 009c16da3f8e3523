package io.ctta.streams.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PermutedStreamsTest {

    @TempDir
    Path dir;

    /** 50 random 6x5 images with labels 0..9, each image unique (its index in its first bytes). */
    private static LabeledImages source() {
        LabeledImages r = TestImages.random(50, 6, 5, 3);
        byte[] px = r.pixels().clone();
        int[] labels = new int[50];
        for (int i = 0; i < 50; i++) {
            px[i * 30] = (byte) i;
            labels[i] = i % 10;
        }
        return new LabeledImages(50, 6, 5, px, labels);
    }

    private static boolean isPermutation(int[] p) {
        boolean[] seen = new boolean[p.length];
        for (int x : p) {
            if (x < 0 || x >= p.length || seen[x]) {
                return false;
            }
            seen[x] = true;
        }
        return true;
    }

    /** Index of the source image an image of the stream shows (the first byte identifies it). */
    private static int origin(LabeledImages src, byte[] image) {
        for (int i = 0; i < src.count(); i++) {
            if (Arrays.equals(Arrays.copyOfRange(src.pixels(), i * 30, i * 30 + 30), image)) {
                return i;
            }
        }
        throw new AssertionError("image not from the source");
    }

    private static byte[] image(LabeledImages im, int i) {
        int n = im.imageSize();
        return Arrays.copyOfRange(im.pixels(), i * n, (i + 1) * n);
    }

    @Test
    void labelPermutedRelabelsEveryTaskByItsPermutationAndKeepsImages() {
        LabeledImages src = source();
        List<Domain> stream = PermutedStreams.labelPermuted(src, 12, 80, 10, 7);
        assertEquals(12, stream.size());
        assertEquals("label-permuted-0000", stream.get(0).name());
        assertEquals("label-permuted-0011", stream.get(11).name());
        Set<String> perms = new HashSet<>();
        for (int k = 0; k < stream.size(); k++) {
            LabeledImages t = stream.get(k).images();
            assertEquals(80, t.count());
            int[] perm = PermutedStreams.labelPermutation(7, k, 10);
            assertTrue(isPermutation(perm));
            perms.add(Arrays.toString(perm));
            Map<Integer, Integer> uses = new HashMap<>();
            for (int i = 0; i < t.count(); i++) {
                int o = origin(src, image(t, i));
                assertEquals(perm[src.label(o)], t.label(i), "task " + k + " sample " + i);
                uses.merge(o, 1, Integer::sum);
            }
            // 80 samples of a 50-image set: one full shuffled pass, then 30 of a second pass.
            assertEquals(50, uses.size());
            assertEquals(30, uses.values().stream().filter(c -> c == 2).count());
        }
        assertEquals(12, perms.size(), "each task has its own permutation");
    }

    @Test
    void inputPermutedRearrangesPixelsByTheTaskPermutationAndKeepsLabels() {
        LabeledImages src = source();
        List<Domain> stream = PermutedStreams.inputPermuted(src, 5, 20, 9);
        assertEquals("input-permuted-0004", stream.get(4).name());
        for (int k = 0; k < 5; k++) {
            LabeledImages t = stream.get(k).images();
            int[] perm = PermutedStreams.pixelPermutation(9, k, 30);
            assertTrue(isPermutation(perm));
            assertFalse(Arrays.equals(perm, PermutedStreams.pixelPermutation(9, k + 1, 30)));
            // Invert the permutation to find the source image, then check label and pixels.
            for (int i = 0; i < t.count(); i++) {
                byte[] permuted = image(t, i);
                byte[] restored = new byte[30];
                for (int p = 0; p < 30; p++) {
                    restored[perm[p]] = permuted[p];
                }
                int o = origin(src, restored);
                assertEquals(src.label(o), t.label(i));
                for (int p = 0; p < 30; p++) {
                    assertEquals(src.pixels()[o * 30 + perm[p]], permuted[p]);
                }
            }
        }
    }

    @Test
    void streamsAreDeterministicInTheSeedAndTasksAreIndependent() throws Exception {
        LabeledImages src = source();
        List<Domain> a = PermutedStreams.labelPermuted(src, 6, 25, 10, 1);
        assertEquals(a, PermutedStreams.labelPermuted(src, 6, 25, 10, 1));
        assertNotEquals(a, PermutedStreams.labelPermuted(src, 6, 25, 10, 2));
        // Task k does not depend on how many tasks are built.
        assertEquals(a.get(2).images(), PermutedStreams.labelPermuted(src, 3, 25, 10, 1).get(2).images());
        // Consecutive tasks start fresh passes in different orders.
        assertFalse(Arrays.equals(PermutedStreams.taskSamples(50, 50, 1, 0), PermutedStreams.taskSamples(50, 50, 1, 1)));
        List<Domain> b = PermutedStreams.inputPermuted(src, 4, 10, 3);
        assertEquals(b, PermutedStreams.inputPermuted(src, 4, 10, 3));
        // They replay like any stream: the directory format round-trips them.
        StreamDirectory.write(dir.resolve("s"), b);
        assertEquals(b, StreamDirectory.read(dir.resolve("s")));
    }

    @Test
    void invalidArgumentsAreRejected() {
        LabeledImages src = source();
        assertThrows(IllegalArgumentException.class, () -> PermutedStreams.labelPermuted(src, 0, 10, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> PermutedStreams.labelPermuted(src, 2, 0, 10, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PermutedStreams.labelPermuted(src, 2, 10, 5, 1));
        assertEquals("label 5 of image 5 is not below numClasses = 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PermutedStreams.inputPermuted(
                new LabeledImages(0, 2, 2, new byte[0], new int[0]), 2, 10, 1));
    }
}
