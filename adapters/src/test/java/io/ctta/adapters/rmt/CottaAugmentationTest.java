package io.ctta.adapters.rmt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.TestData;
import io.ctta.runtime.data.InputBatch;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CottaAugmentationTest {
    private static final float SCALE = 1f / 255f;

    @Test
    void seededDeterministicInRangeAndLeavesTheInputAlone() {
        InputBatch b = TestData.batch(16, 3);
        float[] before = b.features().clone();
        InputBatch a1 = CottaAugmentation.apply(b, SCALE, new SplittableRandom(42));
        InputBatch a2 = CottaAugmentation.apply(b, SCALE, new SplittableRandom(42));
        InputBatch a3 = CottaAugmentation.apply(b, SCALE, new SplittableRandom(43));
        assertArrayEquals(before, b.features(), 0f);
        assertArrayEquals(a1.features(), a2.features(), 0f);
        assertFalse(Arrays.equals(a1.features(), a3.features()));
        assertEquals(16, a1.size());
        assertArrayEquals(new int[] {1, 28, 28}, a1.sampleShape());
        for (float v : a1.features()) {
            assertTrue(v >= 0f && v <= 255f + 1e-3f, "raw value " + v);
        }
        assertFalse(Arrays.equals(before, a1.features()));
    }

    @Test
    void constantImageStaysConstantUpToTheNoise() {
        // Padding by half the image keeps the zero fill of rotation/translation/scale out of the crop,
        // and blur, brightness, contrast and gamma map a constant to a constant.
        for (long seed = 0; seed < 20; seed++) {
            float[] x = new float[2 * 784];
            Arrays.fill(x, 128f);
            float[] out = CottaAugmentation.apply(new InputBatch(2, new int[] {1, 28, 28}, x), SCALE,
                    new SplittableRandom(seed)).features();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : out) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            // noise std 0.005 in [0,1] units: 1568 draws stay well within ±5σ
            assertTrue((max - min) * SCALE < 10 * 0.005, "seed " + seed + ": range " + (max - min) * SCALE);
        }
    }

    @Test
    void oneDrawOfTheParametersPerBatch() {
        // Two copies of one image in a batch get the same colour and geometry: they differ only by the
        // per-pixel noise (std 0.005).
        float[] one = TestData.batch(1, 9).features();
        float[] x = new float[2 * 784];
        System.arraycopy(one, 0, x, 0, 784);
        System.arraycopy(one, 0, x, 784, 784);
        for (long seed = 0; seed < 10; seed++) {
            float[] out = CottaAugmentation.apply(new InputBatch(2, new int[] {1, 28, 28}, x), SCALE,
                    new SplittableRandom(seed)).features();
            double maxDiff = 0;
            double changed = 0;
            for (int p = 0; p < 784; p++) {
                maxDiff = Math.max(maxDiff, Math.abs(out[p] - out[784 + p]) * SCALE);
                changed = Math.max(changed, Math.abs(out[p] - one[p]) * SCALE);
            }
            assertTrue(maxDiff < 0.05, "seed " + seed + ": copies differ by " + maxDiff);
            assertTrue(changed > 0.05, "seed " + seed + ": the augmentation should change the image");
        }
    }

    @Test
    void rgbGreyPixelsStayGreyAndOtherShapesAreRejected() {
        float[] x = new float[3 * 16 * 16];
        SplittableRandom r = new SplittableRandom(1);
        for (int p = 0; p < 256; p++) {
            float v = (float) (r.nextDouble() * 255);
            x[p] = v;
            x[256 + p] = v;
            x[512 + p] = v;
        }
        float[] out = CottaAugmentation.apply(new InputBatch(1, new int[] {3, 16, 16}, x), SCALE,
                new SplittableRandom(7)).features();
        for (int p = 0; p < 256; p++) {
            assertEquals(out[p] * SCALE, out[256 + p] * SCALE, 0.05, "pixel " + p);
            assertEquals(out[p] * SCALE, out[512 + p] * SCALE, 0.05, "pixel " + p);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CottaAugmentation.apply(new InputBatch(1, new int[] {2, 4, 4}, new float[32]), SCALE,
                        new SplittableRandom(1)));
        assertEquals("test-time augmentation needs images of shape (C, H, W) with C = 1 or 3, got [2, 4, 4]",
                e.getMessage());
    }
}
