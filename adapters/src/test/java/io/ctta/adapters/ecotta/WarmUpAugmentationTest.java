package io.ctta.adapters.ecotta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.TestData;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The warm-up augmentation on heap images: blur kernel, range, determinism. */
class WarmUpAugmentationTest {

    @Test
    void blurIsTheNormalisedThreeTapGaussianWithReflectPadding() {
        // σ = 1: 1-D taps exp(-x²/2) normalised over x in {-1, 0, 1}: 0.274069, 0.451863, 0.274069.
        float[] img = new float[25];
        img[12] = 1f;
        WarmUpAugmentation.blur(img, 0, 5, 5, 1.0);
        assertEquals(0.451863 * 0.451863, img[12], 1e-6);
        assertEquals(0.451863 * 0.274069, img[7], 1e-6);
        assertEquals(0.274069 * 0.274069, img[6], 1e-6);
        assertEquals(0f, img[0], 0f);
        double sum = 0;
        for (float v : img) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-6);
        // Reflect padding: the corner's missing left neighbour is the mirror of its right one, so a
        // delta next to the corner reaches it twice.
        float[] edge = new float[9];
        edge[1] = 1f;
        WarmUpAugmentation.blur(edge, 0, 3, 3, 1.0);
        assertEquals(2 * 0.274069 * 0.451863, edge[0], 1e-6);
        assertEquals(0.451863 * 0.451863, edge[1], 1e-6);
        float[] flat = new float[16];
        Arrays.fill(flat, 7f);
        WarmUpAugmentation.blur(flat, 0, 4, 4, 1.7);
        for (float v : flat) {
            assertEquals(7f, v, 1e-5f);
        }
    }

    @Test
    void augmentationStaysInTheSourceRangeAndIsSeeded() {
        int n = 64;
        float[] x = TestData.images(n, new int[n], 3, 0f);
        WarmUpAugmentation aug = WarmUpAugmentation.of(x);
        float[] a = x.clone();
        float[] b = x.clone();
        aug.apply(a, n, 1, 28, 28, new SplittableRandom(5));
        aug.apply(b, n, 1, 28, 28, new SplittableRandom(5));
        assertArrayEquals(a, b, 0f);
        assertFalse(Arrays.equals(a, x), "nothing was augmented");
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        int changed = 0;
        for (int i = 0; i < n; i++) {
            boolean same = true;
            for (int p = 0; p < 784; p++) {
                float v = a[i * 784 + p];
                assertTrue(v >= lo && v <= hi, "value " + v + " outside [" + lo + ", " + hi + "]");
                same &= v == x[i * 784 + p];
            }
            changed += same ? 0 : 1;
        }
        // Jitter with p = 0.4 and blur with p = 0.2: roughly half of the images change.
        assertTrue(changed > 16 && changed < 48, changed + " of 64 images changed");
    }

    @Test
    void hueRotatesInHsvSpaceAsTorchvisionsAdjustHue() {
        WarmUpAugmentation aug = new WarmUpAugmentation(0f, 255f);
        // Three pixels (planes R, G, B): pure red, orange (255, 128, 0), grey (90, 90, 90).
        float[] img = {255, 255, 90, 0, 128, 90, 0, 0, 90};
        aug.adjustHue(img, 0, 3, 1.0 / 3);
        // Red + 1/3 turn = green; orange (h = 0.0837) + 1/3 = (0, 255, 128); grey unchanged.
        assertArrayEquals(new float[] {0, 0, 90, 255, 255, 90, 0, 128, 90}, img, 0.01f);
        float[] red = {255, 0, 0};
        aug.adjustHue(red, 0, 1, 0.5);
        assertArrayEquals(new float[] {0, 255, 255}, red, 1e-3f, "half a turn: cyan");
        float[] blue = {255, 0, 0};
        aug.adjustHue(blue, 0, 1, -1.0 / 3);
        assertArrayEquals(new float[] {0, 0, 255}, blue, 1e-3f, "minus a third: blue");
        float[] same = {200, 100, 50};
        aug.adjustHue(same, 0, 1, 0);
        assertArrayEquals(new float[] {200, 100, 50}, same, 1e-3f, "a zero factor changes nothing");
    }
}
