package io.ctta.streams.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major tensor of features.
 *
 * <p>Invariants (checked on construction): rank at least 1, every dimension positive, the product of
 * the dimensions equals {@code values.length}; for {@link DType#UINT8} every value is an integer in
 * 0..255, so encoding never truncates silently. {@code shape} is copied; {@code values} is not
 * (tensors can be large and are handed from decoder to model once): callers must not mutate it after
 * construction.
 *
 * @param dtype  how the values travel on the wire
 * @param shape  dimensions, outermost first
 * @param values row-major values, decoded to float
 */
public record Tensor(DType dtype, int[] shape, float[] values) {

    public Tensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        shape = shape.clone();
        long n = elementCount(shape);
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but " + values.length + " values were given");
        }
        if (dtype == DType.UINT8) {
            for (int i = 0; i < values.length; i++) {
                float v = values[i];
                if (!(v >= 0f && v <= 255f && v == Math.rint(v))) {
                    throw new IllegalArgumentException("UINT8 tensor value " + v + " at index " + i
                            + " is not an integer in 0..255; use FLOAT32 for normalised features");
                }
            }
        }
    }

    /** A FLOAT32 tensor. */
    public static Tensor float32(int[] shape, float[] values) {
        return new Tensor(DType.FLOAT32, shape, values);
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Returns a copy of the shape (the record keeps its own). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /**
     * Product of the dimensions, computed without overflow.
     *
     * @throws IllegalArgumentException if the rank is 0, a dimension is not positive, or the product
     *                                  exceeds {@link Integer#MAX_VALUE}
     */
    public static long elementCount(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a tensor needs rank >= 1");
        }
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("dimension " + d + " in " + Arrays.toString(shape)
                        + " is not positive");
            }
            n = Math.multiplyExact(n, d);
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more than 2^31-1 elements");
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(values));
    }

    /** Short form: dtype and shape only, never the values (they can be megabytes). */
    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
