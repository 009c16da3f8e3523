package io.ctta.adapters;

import io.ctta.runtime.data.InputBatch;
import java.util.SplittableRandom;

/** Synthetic 28x28 images whose class is a bright 7x7 patch position (separable), plus noise. */
public final class TestData {
    private TestData() {}

    /** {@code n} samples; labels written to {@code labels}; raw values 0..255. */
    public static float[] images(int n, int[] labels, long seed, float shift) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 784];
        for (int i = 0; i < n; i++) {
            int y = r.nextInt(10);
            labels[i] = y;
            int row = (y / 5) * 14 + 3;
            int col = (y % 5) * 5 + 1;
            for (int p = 0; p < 784; p++) {
                x[i * 784 + p] = (float) (r.nextDouble() * 60) + shift;
            }
            for (int a = 0; a < 7; a++) {
                for (int b = 0; b < 4; b++) {
                    x[i * 784 + (row + a) * 28 + col + b] = 200f + shift;
                }
            }
        }
        return x;
    }

    /** A batch of {@code n} random images. */
    public static InputBatch batch(int n, long seed) {
        return new InputBatch(n, new int[] {1, 28, 28}, images(n, new int[n], seed, 0f));
    }
}
