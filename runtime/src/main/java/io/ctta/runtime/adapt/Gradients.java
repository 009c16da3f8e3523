package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;
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
        double total = 0;
        for (NDArray g : gradients) {
            total += g.abs().sum().getFloat();
        }
        return total;
    }

    /**
     * Zeroes the gradients in place, including NaN/Inf entries (PyTorch accumulates gradients
     * across backward passes, so every step must clear them).
     */
    public static void zero(List<NDArray> gradients) {
        for (NDArray g : gradients) {
            NDArray bad = g.isNaN().logicalOr(g.isInfinite());
            if (bad.any().getBoolean()) {
                g.set(bad, 0f);
            }
            g.subi(g);
        }
    }
}
