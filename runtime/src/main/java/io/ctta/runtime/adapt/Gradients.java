package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient bookkeeping for strategies that call an optimizer per parameter (no DJL
 * {@code Trainer}, whose {@code step()} throws on all-zero gradients). Call these
 * after the gradient session has closed (grad mode off) and inside a step scope.
 */
public final class Gradients {

    private Gradients() {}

    /** The gradient arrays of {@code parameters} (aliases of the engine's buffers). */
    public static List<NDArray> of(List<Parameter> parameters) {
        List<NDArray> out = new ArrayList<>(parameters.size());
        for (Parameter p : parameters) {
            out.add(p.getArray().getGradient());
        }
        return out;
    }

    /**
     * The sum of absolute gradient values: 0 means "nothing to learn", a non-finite value means the
     * step must be rejected.
     */
    public static double absSum(List<NDArray> gradients) {
        // Summed natively and read once: one read per tensor would wait for libtorch each time.
        NDArray total = null;
        for (NDArray g : gradients) {
            NDArray s = g.abs().sum();
            total = total == null ? s : total.addi(s);
        }
        return total == null ? 0 : total.getFloat();
    }

    /**
     * A number that is 0 when every gradient is all zero and non-finite when any holds NaN or Inf:
     * the largest absolute value over all of them (NaN if any is NaN), reduced natively in one
     * call ({@link LibtorchKernels#largestMagnitude}: one pass per tensor, no temporary of its
     * size, no underflow as a sum of squares would) and read once.
     */
    public static double mass(List<NDArray> gradients) {
        if (gradients.isEmpty()) {
            return 0;
        }
        try (NDManager scratch = gradients.get(0).getManager().newSubManager()) {
            return LibtorchKernels.get().largestMagnitude(gradients, scratch).getFloat();
        }
    }

    /**
     * Zeroes the gradients in place, including NaN/Inf entries (PyTorch accumulates gradients
     * across backward passes, so every step must clear them): one native call for all of them
     * ({@link LibtorchKernels#zero}), no read back.
     */
    public static void zero(List<NDArray> gradients) {
        LibtorchKernels.get().zero(gradients);
    }
}
