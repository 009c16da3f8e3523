package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.StrategyState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay as in {@code torch.optim.AdamW} (no amsgrad):
 * {@code W ← (1 − α·λ)·W}, then {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code W ← W − α · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)}.
 *
 * <p>{@code β1 = 0} (no momentum, {@code m = g}) is allowed: it is the tuned streaming setting of
 * the UPGD paper's AdamW baseline (ALGORITHMS.md 3.4, 8.4).
 */
public final class AdamW implements ParameterOptimizer {

    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final NDManager manager;
    private final StateArrays means;
    private final StateArrays variances;
    private long steps;
    private boolean closed;

    /**
     * @param parent the manager to hang this optimizer's state manager under
     * @param shapes the parameters it will update, by name
     * @throws IllegalArgumentException when a value is out of range or {@code α·λ ≥ 1}
     */
    public AdamW(NDManager parent, Map<String, Shape> shapes, float lr, float beta1, float beta2, float epsilon,
            float weightDecay) {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        }
        if (!(weightDecay >= 0) || lr * weightDecay >= 1) {
            throw new IllegalArgumentException("weight decay must be >= 0 with lr * weight decay < 1, got " + weightDecay);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
        this.means = new StateArrays("adamw.m", manager, shapes);
        this.variances = new StateArrays("adamw.v", manager, shapes);
    }

    @Override
    public void step(List<String> names, List<NDArray> weights, List<NDArray> gradients) {
        ensureOpen();
        steps++;
        float bc1 = (float) (1 - Math.pow(beta1, steps));
        float bc2 = (float) (1 - Math.pow(beta2, steps));
        float shrink = 1f - lr * weightDecay;
        for (int i = 0; i < names.size(); i++) {
            NDArray g = gradients.get(i);
            NDArray w = weights.get(i);
            NDArray m = means.get(names.get(i));
            NDArray v = variances.get(names.get(i));
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.square().mul(1 - beta2));
            NDArray denom = v.div(bc2).sqrt().add(epsilon);
            if (shrink != 1f) {
                w.muli(shrink);
            }
            w.subi(m.div(bc1).div(denom).mul(lr));
        }
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public Map<String, StrategyState.Tensor> exportState() {
        ensureOpen();
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        means.export(out);
        variances.export(out);
        return out;
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> state, long stepCount) {
        ensureOpen();
        means.load(state);
        variances.load(state);
        steps = stepCount;
    }

    @Override
    public void reset() {
        ensureOpen();
        means.zero();
        variances.zero();
        steps = 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("optimizer is closed");
        }
    }
}
