package io.ctta.runtime.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Writes heap values into an existing tensor, in place (the tensor keeps its identity, so
 * parameters, optimizer state and module buffers stay bound to whatever holds them).
 *
 * <p>Why not {@code NDArray.set(float[])}: DJL's PyTorch engine implements it by swapping the
 * tensor's storage under libtorch's deprecated {@code AutoNonVariableTypeMode} guard, which
 * prints a deprecation warning on every process; this goes through libtorch's {@code index_put_}
 * from a temporary array instead. Writes into tensors that require gradients must run with grad
 * mode off (as every caller does outside gradient sessions).
 */
public final class InPlace {

    private static final NDIndex ALL = new NDIndex("...");

    private InPlace() {}

    /** Copies {@code values} (row-major, as many as the tensor holds) into {@code target}. */
    public static void write(NDArray target, float[] values) {
        if (values.length != target.size()) {
            throw new IllegalArgumentException("tensor " + target.getShape() + " holds " + target.size()
                    + " values, got " + values.length);
        }
        try (NDManager scratch = target.getManager().newSubManager()) {
            target.set(ALL, scratch.create(values, target.getShape()));
        }
    }

    /** Sets every element of {@code target} to zero. */
    public static void zero(NDArray target) {
        // set(index, Number) would create the number in the target's (long-lived) manager and keep it.
        try (NDManager scratch = target.getManager().newSubManager()) {
            target.set(ALL, scratch.zeros(new ai.djl.ndarray.types.Shape(), target.getDataType()));
        }
    }

    /** Copies {@code source} (as many elements, in row-major order) into {@code target}. */
    public static void copy(NDArray source, NDArray target) {
        if (source.size() != target.size()) {
            throw new IllegalArgumentException("cannot copy " + source.getShape() + " into " + target.getShape());
        }
        if (source.getShape().equals(target.getShape())) {
            target.set(ALL, source);
            return;
        }
        // The reshaped view would otherwise stay in the source's (possibly long-lived) manager.
        try (NDManager scratch = target.getManager().newSubManager()) {
            NDArray view = source.reshape(target.getShape());
            view.attach(scratch);
            target.set(ALL, view);
        }
    }
}
