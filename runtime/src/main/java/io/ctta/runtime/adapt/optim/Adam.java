package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.LibtorchKernels;
import io.ctta.runtime.adapt.StrategyState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adam as in PyTorch ({@code torch.optim.Adam}, no weight decay, no amsgrad):
 * {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code w ← w − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)}.
 *
 * <p>{@link AdamW} is this update with decoupled weight decay: the weights shrink by
 * {@code (1 − lr·λ)} before the step. Plain Adam is {@code λ = 0}, which never shrinks.
 */
public sealed class Adam implements ParameterOptimizer permits AdamW {

    private final float lr;
    private final float weightDecay;
    private final StateOwner owner;
    private final StateArrays means;
    private final StateArrays variances;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private long steps;

    /**
     * @param parent the manager to hang this optimizer's state manager under
     * @param shapes the parameters it will update, by name
     */
    public Adam(NDManager parent, Map<String, Shape> shapes, float lr, float beta1, float beta2, float epsilon) {
        this(parent, shapes, lr, beta1, beta2, epsilon, 0f, "adam");
    }

    /**
     * Adam with decoupled weight decay {@code weightDecay} (unchecked; {@link AdamW} validates),
     * its state named {@code <kind>.m/…} and {@code <kind>.v/…}.
     */
    Adam(NDManager parent, Map<String, Shape> shapes, float lr, float beta1, float beta2, float epsilon,
            float weightDecay, String kind) {
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.owner = new StateOwner(parent, "optimizer");
        this.means = new StateArrays(kind + ".m", owner.manager(), shapes);
        this.variances = new StateArrays(kind + ".v", owner.manager(), shapes);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public void step(List<String> names, List<NDArray> weights, List<NDArray> gradients) {
        owner.ensureOpen();
        steps++;
        // λ = 0 never shrinks, whatever lr (plain Adam does not range-check it).
        float shrink = weightDecay == 0 ? 1f : 1f - lr * weightDecay;
        List<NDArray> m = new ArrayList<>(names.size());
        List<NDArray> v = new ArrayList<>(names.size());
        for (String name : names) {
            m.add(means.get(name));
            v.add(variances.get(name));
        }
        try (NDManager stepScalars = owner.manager().newSubManager()) {
            if (shrink != 1f) {
                // Decoupled decay first, as torch.optim.AdamW (the kernel's own decay would be L2).
                NDArray s = stepScalars.create(shrink);
                for (NDArray w : weights) {
                    w.muli(s);
                }
            }
            // The step number as the kernel reads it: a float, exact up to 2^24 steps; beyond, its
            // rounding (half an ulp) moves 1 - β^t by at most half an ulp too, for any β in [0, 1).
            // libtorch's fused kernel: one pass per parameter (LibtorchKernels says why). The
            // float32 hyperparameters are widened exactly: the kernel takes doubles.
            LibtorchKernels.get().adam(weights, gradients, m, v, stepScalars.create((float) steps), lr, beta1, beta2, epsilon);
        }
    }

    /**
     * {@link FusedUpdate.Rule#ADAM}: lr, shrink, beta1, beta2, epsilon; the moments; step number
     * {@code t + 1} as the fused Adam kernel reads it.
     */
    @Override
    public Optional<FusedUpdate> fusedUpdate(List<String> names, NDManager step) {
        owner.ensureOpen();
        List<NDArray> m = new ArrayList<>(names.size());
        List<NDArray> v = new ArrayList<>(names.size());
        for (String name : names) {
            m.add(means.get(name));
            v.add(variances.get(name));
        }
        float shrink = weightDecay == 0 ? 1f : 1f - lr * weightDecay;
        return Optional.of(new FusedUpdate(FusedUpdate.Rule.ADAM, m, v, step.create((float) (steps + 1)),
                new double[] {lr, shrink, beta1, beta2, epsilon}, new long[0]));
    }

    @Override
    public void fusedStepApplied(FusedUpdate.Applied applied) {
        owner.ensureOpen();
        steps++;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public Map<String, StrategyState.Tensor> exportState() {
        owner.ensureOpen();
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        means.export(out);
        variances.export(out);
        return out;
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> state, long stepCount) {
        owner.ensureOpen();
        means.load(state);
        variances.load(state);
        steps = stepCount;
    }

    @Override
    public void reset() {
        owner.ensureOpen();
        means.zero();
        variances.zero();
        steps = 0;
    }

    @Override
    public void close() {
        owner.close();
    }
}
