package io.ctta.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.adapt.Objectives;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.memory.StepScope;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The pieces of minibatch supervised training shared by {@link SupervisedTrainer} and the
 * strategies' warm-ups on source data: the shuffle, one cross-entropy step and the accuracy count.
 */
public final class Minibatches {

    private Minibatches() {}

    /** What one {@link #crossEntropyStep} did. */
    public enum Kind {
        /** The optimizer stepped. */
        STEPPED,
        /** The loss was finite but the gradient was all zero or not finite: no step. */
        NO_GRADIENT,
        /** The loss was not finite: no backward pass, no step. */
        NON_FINITE_LOSS
    }

    /**
     * One step's outcome.
     *
     * @param kind what happened
     * @param loss the mean cross-entropy of the minibatch (possibly not finite)
     * @param correct how many samples the forward pass classified correctly
     */
    public record Step(Kind kind, float loss, int correct) {}

    /**
     * One cross-entropy step on a minibatch, inside the caller's {@code step} scope (every array it
     * makes belongs to that scope): the forward pass and the backward pass hold {@code gate}; the
     * backward runs only for a finite loss; the optimizer steps only when the gradients of
     * {@code weights} have a finite, positive mass; the gradients are cleared afterwards.
     *
     * @param forward the logits ({@code y.length} x {@code classes}) of the minibatch, made with the
     *     given manager
     */
    public static Step crossEntropyStep(StepScope step, GradientGate gate, Function<NDManager, NDArray> forward,
            int[] y, int classes, ParameterOptimizer optimizer, List<String> names, List<NDArray> weights) {
        NDArray logits;
        float loss;
        try (GradientGate.Session session = gate.open()) {
            logits = forward.apply(step.manager());
            NDArray l = Objectives.softmaxCrossEntropy(logits, step.manager().create(y));
            loss = l.getFloat();
            if (Float.isFinite(loss)) {
                session.backward(l);
            }
        }
        int correct = correct(logits.toFloatArray(), y, classes);
        if (!Float.isFinite(loss)) {
            return new Step(Kind.NON_FINITE_LOSS, loss, correct); // no backward ran: nothing to clear
        }
        List<NDArray> grads = gradients(weights);
        double mass = Gradients.absSum(grads);
        Kind kind = Kind.NO_GRADIENT;
        if (mass > 0 && Double.isFinite(mass)) {
            optimizer.step(names, weights, grads);
            kind = Kind.STEPPED;
        }
        Gradients.zero(grads);
        return new Step(kind, loss, correct);
    }

    /** The gradient arrays of {@code weights} (engine-owned buffers; call inside a step scope). */
    public static List<NDArray> gradients(List<NDArray> weights) {
        NDArray[] out = new NDArray[weights.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = weights.get(i).getGradient();
        }
        return Arrays.asList(out);
    }

    /** How many rows of {@code logits} ({@code y.length} x {@code classes}) have their arg-max at {@code y}. */
    public static int correct(float[] logits, int[] y, int classes) {
        int ok = 0;
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            if (best == y[i]) {
                ok++;
            }
        }
        return ok;
    }

    /** {@code 0, 1, ..., n - 1}: the sample order before the first {@link #shuffle}. */
    public static int[] indices(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Fisher-Yates shuffle of {@code a} in place. */
    public static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
