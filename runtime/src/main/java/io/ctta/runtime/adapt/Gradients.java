package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient bookkeeping for strategies that call an optimizer per parameter (no DJL
 * {@code Trainer}, whose {@code step()} throws on all-zero gradients). Call these
 * after the gradient session has closed (grad mode off) and inside a step scope.
 */
public final class Gradients {

    private static final NDIndex ALL = new NDIndex("...");

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
     * the largest absolute value over all of them (max and min per tensor, which libtorch reduces
     * without the parameter-sized temporary {@code abs().sum()} allocates, and which cannot
     * underflow like a sum of squares), combined natively and read once.
     */
    public static double mass(List<NDArray> gradients) {
        NDArray largest = null;
        for (NDArray g : gradients) {
            NDArray m = g.max().maximum(g.min().negi());
            // maximum propagates NaN, as the check needs.
            largest = largest == null ? m : largest.maximum(m);
        }
        return largest == null ? 0 : largest.getFloat();
    }

    /**
     * Zeroes the gradients in place, including NaN/Inf entries (PyTorch accumulates gradients
     * across backward passes, so every step must clear them).
     */
    public static void zero(List<NDArray> gradients) {
        if (gradients.isEmpty()) {
            return;
        }
        // A fill (libtorch's index_put_ of one zero) overwrites NaN and Inf too, with one native
        // call per tensor and no read back; masking non-finite entries first cost five and a read.
        try (NDManager scratch = gradients.get(0).getManager().newSubManager()) {
            NDArray zero = scratch.zeros(new Shape(), gradients.get(0).getDataType());
            for (NDArray g : gradients) {
                g.set(ALL, g.getDataType() == zero.getDataType() ? zero : scratch.zeros(new Shape(), g.getDataType()));
            }
        }
    }
}
