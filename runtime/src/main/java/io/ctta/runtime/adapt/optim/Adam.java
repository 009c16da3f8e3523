package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.memory.InPlace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final StateOwner owner;
    private final StateArrays means;
    private final StateArrays variances;
    private final NDArray beta1Scalar;
    private final NDArray oneMinusBeta1;
    private final NDArray beta2Scalar;
    private final NDArray oneMinusBeta2;
    private final NDArray epsilonScalar;
    private final NDArray lrScalar;
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
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.owner = new StateOwner(parent, "optimizer");
        this.means = new StateArrays(kind + ".m", owner.manager(), shapes);
        this.variances = new StateArrays(kind + ".v", owner.manager(), shapes);
        NDManager m = owner.manager();
        this.beta1Scalar = Scalars.constant(m, beta1);
        this.oneMinusBeta1 = Scalars.constant(m, 1 - beta1);
        this.beta2Scalar = Scalars.constant(m, beta2);
        this.oneMinusBeta2 = Scalars.constant(m, 1 - beta2);
        this.epsilonScalar = Scalars.constant(m, epsilon);
        this.lrScalar = Scalars.constant(m, lr);
    }

    @Override
    public void step(List<String> names, List<NDArray> weights, List<NDArray> gradients) {
        owner.ensureOpen();
        steps++;
        float bc1 = (float) (1 - Math.pow(beta1, steps));
        float bc2 = (float) (1 - Math.pow(beta2, steps));
        // λ = 0 never shrinks, whatever lr (plain Adam does not range-check it).
        float shrink = weightDecay == 0 ? 1f : 1f - lr * weightDecay;
        // Step scalars as tensors made once per step, constants made once: one native call per use.
        try (NDManager stepScalars = owner.manager().newSubManager()) {
            update(names, weights, gradients, stepScalars.create(bc1), stepScalars.create(bc2),
                    shrink == 1f ? null : stepScalars.create(shrink));
        }
    }

    private void update(List<String> names, List<NDArray> weights, List<NDArray> gradients, NDArray bc1Scalar,
            NDArray bc2Scalar, NDArray shrinkScalar) {
        // In place, the gradient as scratch (ParameterOptimizer#step); the same operations in the
        // same order as the allocating version, so results are bit for bit unchanged. Two
        // temporaries per tensor: g² and the square root (libtorch has no in-place sqrt through
        // DJL, and pow(·, 0.5) rounds differently). Fresh parameter-sized arrays are the expensive
        // part of a step at batch 1 (the allocator returns and faults in their pages), not the arithmetic.
        for (int i = 0; i < names.size(); i++) {
            NDArray g = gradients.get(i);
            NDArray w = weights.get(i);
            NDArray m = means.get(names.get(i));
            NDArray v = variances.get(names.get(i));
            NDArray squared = g.square();
            m.muli(beta1Scalar).addi(g.muli(oneMinusBeta1));
            v.muli(beta2Scalar).addi(squared.muli(oneMinusBeta2));
            // g is free now: v / bc2 into it, then m / bc1 / denom · lr.
            InPlace.copy(v, g);
            NDArray denom = g.divi(bc2Scalar).sqrt().addi(epsilonScalar);
            InPlace.copy(m, g);
            if (shrinkScalar != null) {
                w.muli(shrinkScalar);
            }
            w.subi(g.divi(bc1Scalar).divi(denom).muli(lrScalar));
        }
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
