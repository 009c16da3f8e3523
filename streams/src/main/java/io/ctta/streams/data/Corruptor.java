package io.ctta.streams.data;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * Applies a {@link Corruption} to every image of a {@link LabeledImages}, deterministically.
 *
 * <p>Image {@code i} gets its own generator seeded from {@code (seed, corruption, severity, i)},
 * so the output depends only on those values, never on thread scheduling: images are processed
 * in parallel on the common fork-join pool and the bytes are the same as a sequential run.
 * Results are converted back to bytes by rounding {@code v * 255} to the nearest integer
 * (clipped to 0..255); the Python recipes truncate with {@code np.uint8}, which biases every pixel
 * down by half a level, so we round instead (see {@code docs/corruptions.md}).
 */
public final class Corruptor {
    private Corruptor() {}

    /**
     * Returns a corrupted copy of {@code data}; labels are kept.
     *
     * @param severity 1..5
     * @param seed root seed; the same seed gives the same bytes
     */
    public static LabeledImages corrupt(LabeledImages data, Corruption corruption, int severity,
            long seed) {
        Corruption.checkSeverity(severity);
        int n = data.imageSize();
        byte[] out = new byte[data.pixels().length];
        IntStream.range(0, data.count()).parallel().forEach(i -> {
            float[] x = new float[n];
            byte[] px = data.pixels();
            for (int k = 0; k < n; k++) {
                x[k] = (px[i * n + k] & 0xFF) / 255f;
            }
            float[] y = corruption.apply(x, data.rows(), data.cols(), severity,
                    rngFor(seed, corruption, severity, i));
            for (int k = 0; k < n; k++) {
                out[i * n + k] = toByte(y[k]);
            }
        });
        return new LabeledImages(data.count(), data.rows(), data.cols(), out,
                data.labels().clone());
    }

    /** The generator used for image {@code index}; exposed for tests and external replays. */
    public static RandomGenerator rngFor(long seed, Corruption corruption, int severity,
            long index) {
        long h = mix64(seed);
        // String hash, not ordinal: reordering the enum must not change existing streams.
        h = mix64(h ^ corruption.id().hashCode());
        h = mix64(h ^ severity);
        h = mix64(h ^ index);
        return new SplittableRandom(h);
    }

    /** Rounds {@code v * 255} to the nearest level and clips to 0..255. */
    static byte toByte(float v) {
        int q = Math.round(v * 255f);
        return (byte) Math.min(255, Math.max(0, q));
    }

    /** Stafford variant 13 finaliser (as in SplitMix64): a strong 64-bit mix. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
