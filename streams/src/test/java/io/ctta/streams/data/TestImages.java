package io.ctta.streams.data;

import java.util.SplittableRandom;

/** Small synthetic images for tests. */
final class TestImages {
    private TestImages() {}

    static LabeledImages random(int count, int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] px = new byte[count * rows * cols];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rng.nextInt(256);
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = rng.nextInt(10);
        }
        return new LabeledImages(count, rows, cols, px, labels);
    }

    static float[] constant(int n, float v) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, v);
        return x;
    }

    /** A bright disc of the given radius centred on a 28x28 black image (smooth edge). */
    static float[] disc(double radius) {
        float[] x = new float[28 * 28];
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                double d = Math.hypot(r - 13.5, c - 13.5);
                x[r * 28 + c] = (float) Math.min(1, Math.max(0, radius + 0.5 - d));
            }
        }
        return x;
    }

    /** A checkerboard of 0.2/0.8 squares of the given cell size inside a black 6-pixel border. */
    static float[] paddedChecker(int cell) {
        float[] x = new float[28 * 28];
        for (int r = 6; r < 22; r++) {
            for (int c = 6; c < 22; c++) {
                x[r * 28 + c] = ((r / cell + c / cell) % 2 == 0) ? 0.8f : 0.2f;
            }
        }
        return x;
    }

    static double mean(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return s / x.length;
    }

    static double std(float[] x) {
        double m = mean(x);
        double s = 0;
        for (float v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    /** Total variation: sum of absolute differences between 4-neighbours. */
    static double totalVariation(float[] x, int rows, int cols) {
        double tv = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (c + 1 < cols) {
                    tv += Math.abs(x[r * cols + c + 1] - x[r * cols + c]);
                }
                if (r + 1 < rows) {
                    tv += Math.abs(x[(r + 1) * cols + c] - x[r * cols + c]);
                }
            }
        }
        return tv;
    }

    static double meanAbsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }
}
