package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a plain number that is safe on the differentiated path of a loss.
 *
 * <p>Why this exists: DJL 0.36's PyTorch engine implements {@code array.mul(Number)} (and
 * {@code div}, {@code pow}, {@code maximum}, {@code minimum}) by wrapping the number in a tensor
 * that points into a Java direct buffer ({@code torch::from_blob}) and closing that tensor right
 * after the operation. Autograd keeps the number's tensor for the backward pass of exactly these
 * operations, but nothing keeps the Java buffer alive: once the garbage collector frees it, the
 * backward pass reads freed memory and the gradients come out as garbage, Inf or NaN, depending on
 * when the collector ran. Here the number becomes a 0-dimensional tensor that PyTorch allocates and
 * reference-counts itself ({@code torch::full}), so autograd's reference keeps it alive.
 *
 * <p>Use these wherever the array may require a gradient (inside a {@link GradientGate} session);
 * outside one, the DJL overloads are fine. {@code add(Number)} and {@code sub(Number)} are safe in
 * both places: their backward pass does not read the number.
 */
public final class GraphScalars {

    private GraphScalars() {}

    /** {@code value} as a 0-dimensional tensor of {@code like}'s type, device and manager. */
    public static NDArray constant(NDArray like, double value) {
        NDArray c = like.getManager().full(new Shape(), (float) value, like.getDataType());
        return c.getDevice().equals(like.getDevice()) ? c : c.toDevice(like.getDevice(), false);
    }

    /** {@code a · s}. */
    public static NDArray mul(NDArray a, double s) {
        return a.mul(constant(a, s));
    }

    /** {@code a / s}. */
    public static NDArray div(NDArray a, double s) {
        return a.div(constant(a, s));
    }

    /** {@code a ^ s}. */
    public static NDArray pow(NDArray a, double s) {
        return a.pow(constant(a, s));
    }

    /** Element-wise {@code max(a, s)}. */
    public static NDArray maximum(NDArray a, double s) {
        return a.maximum(constant(a, s));
    }
}
