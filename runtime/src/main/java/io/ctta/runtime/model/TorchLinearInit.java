package io.ctta.runtime.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.ctta.runtime.memory.InPlace;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation of {@code nn.Linear}, seeded: weights by
 * {@code kaiming_uniform_(a = sqrt(5))}, which is {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}
 * (gain {@code sqrt(2 / (1 + 5))}, bound {@code gain * sqrt(3 / fan_in)}), and biases from the same
 * {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} with the fan-in of their layer's weight. Continual
 * learning results depend on the initial scale (loss of plasticity grows from it), so models that
 * reproduce a paper's protocol start where the paper's PyTorch code started: same distribution,
 * not the same numbers (those come from {@link SplittableRandom}, not torch's generator).
 */
final class TorchLinearInit {

    private TorchLinearInit() {}

    /**
     * Draws every parameter of a stack of Linear layers in model order (each layer's weight, then its
     * bias) from {@code seed}.
     *
     * @throws IllegalStateException for a parameter that is not a Linear weight (out x in) or the bias
     *     of the weight before it
     */
    static void apply(Map<String, Parameter> parameters, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long fanIn = -1;
        long units = -1;
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            Parameter p = e.getValue();
            Shape s = p.getArray().getShape();
            if (p.getType() == Parameter.Type.WEIGHT && s.dimension() == 2) {
                units = s.get(0);
                fanIn = s.get(1);
            } else if (p.getType() != Parameter.Type.BIAS || fanIn < 0 || s.size() != units) {
                throw new IllegalStateException("PyTorch's Linear initialisation covers Linear weights and their biases,"
                        + " not " + e.getKey() + " " + s + " (" + p.getType() + ")");
            }
            InPlace.write(p.getArray(), uniform(rnd, Math.toIntExact(s.size()), 1.0 / Math.sqrt(fanIn)));
        }
    }

    /** {@code n} draws of U(-bound, bound). */
    private static float[] uniform(SplittableRandom rnd, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }
}
