package io.ctta.runtime.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A micro-batch of model inputs on the Java heap: {@code size} samples of shape {@code sampleShape},
 * flattened row-major into {@code features} (float32, raw values before the model's preprocessing).
 *
 * <p>Heap-only by design: batches cross actor boundaries, NDArrays never do.
 */
public record InputBatch(int size, int[] sampleShape, float[] features) {

    public InputBatch {
        Objects.requireNonNull(sampleShape, "sampleShape");
        Objects.requireNonNull(features, "features");
        if (size <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + size);
        }
        long per = sampleLength(sampleShape);
        if (per * size != features.length) {
            throw new IllegalArgumentException(
                    "features hold " + features.length + " floats but " + size + " samples of shape "
                            + Arrays.toString(sampleShape) + " need " + per * size);
        }
        sampleShape = sampleShape.clone();
    }

    /** Number of floats in one sample of the given shape. */
    public static int sampleLength(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive: " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sample too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    /** Floats per sample. */
    public int sampleLength() {
        return sampleLength(sampleShape);
    }

    /** Shape of the whole batch: {@code [size, sampleShape...]}. */
    public long[] batchShape() {
        long[] s = new long[sampleShape.length + 1];
        s[0] = size;
        for (int i = 0; i < sampleShape.length; i++) {
            s[i + 1] = sampleShape[i];
        }
        return s;
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }
}
