package io.ctta.streams.serde;

import io.ctta.streams.record.Tensor;

import java.util.Arrays;

/**
 * What a decoder accepts. Checked before any allocation that depends on the input, so a hostile or
 * corrupt value cannot make the consumer allocate more than {@code maxBytes} plus the decoded tensor.
 *
 * @param maxBytes      largest accepted value, in bytes (checked first)
 * @param maxRank       largest accepted tensor rank, 1..255
 * @param maxElements   largest accepted element count (product of dims)
 * @param expectedShape the shape every record must have, {@code -1} where any size is accepted
 *                      (e.g. {@code [3, -1, -1]}: RGB images of any size), or {@code null} to accept
 *                      any shape
 */
public record RecordLimits(int maxBytes, int maxRank, int maxElements, int[] expectedShape) {

    /** Largest rank the binary format can carry (one unsigned byte). */
    public static final int FORMAT_MAX_RANK = 255;

    public RecordLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        if (maxRank < 1 || maxRank > FORMAT_MAX_RANK) {
            throw new IllegalArgumentException("maxRank must be in 1.." + FORMAT_MAX_RANK + ", was " + maxRank);
        }
        if (maxElements <= 0) {
            throw new IllegalArgumentException("maxElements must be positive, was " + maxElements);
        }
        if (expectedShape != null) {
            expectedShape = expectedShape.clone();
            int[] fixed = expectedShape.clone();
            for (int i = 0; i < fixed.length; i++) {
                if (fixed[i] == -1) {
                    fixed[i] = 1;
                }
            }
            long n = Tensor.elementCount(fixed);
            if (expectedShape.length > maxRank || n > maxElements) {
                throw new IllegalArgumentException("expectedShape " + Arrays.toString(expectedShape)
                        + " exceeds maxRank " + maxRank + " or maxElements " + maxElements);
            }
        }
    }

    /** 8 MiB, rank 8, 2 Mi elements, any shape: generous for images, far below a consumer's heap. */
    public static RecordLimits defaults() {
        return new RecordLimits(8 << 20, 8, 2 << 20, null);
    }

    /** Same limits, requiring exactly {@code shape}. */
    public RecordLimits withExpectedShape(int[] shape) {
        return new RecordLimits(maxBytes, maxRank, maxElements, shape);
    }

    @Override
    public int[] expectedShape() {
        return expectedShape == null ? null : expectedShape.clone();
    }

    /** True when {@code shape} satisfies the expected shape (or none is set). */
    boolean shapeAccepted(int[] shape) {
        if (expectedShape == null) {
            return true;
        }
        if (shape.length != expectedShape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (expectedShape[i] != -1 && expectedShape[i] != shape[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordLimits l && maxBytes == l.maxBytes && maxRank == l.maxRank
                && maxElements == l.maxElements && Arrays.equals(expectedShape, l.expectedShape);
    }

    @Override
    public int hashCode() {
        return ((maxBytes * 31 + maxRank) * 31 + maxElements) * 31 + Arrays.hashCode(expectedShape);
    }

    @Override
    public String toString() {
        return "RecordLimits[maxBytes=" + maxBytes + ", maxRank=" + maxRank + ", maxElements=" + maxElements
                + ", expectedShape=" + (expectedShape == null ? "any" : Arrays.toString(expectedShape)) + "]";
    }
}
