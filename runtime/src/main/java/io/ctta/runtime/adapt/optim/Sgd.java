package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.StrategyState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with optional momentum and Nesterov as in {@code torch.optim.SGD} (dampening 0):
 * {@code b ← μ·b + g}; {@code d = g + μ·b} (Nesterov) or {@code b}; {@code w ← w − lr·d}.
 */
public final class Sgd implements ParameterOptimizer {

    private final float lr;
    private final float momentum;
    private final boolean nesterov;
    private final StateOwner owner;
    private final StateArrays buffers;
    private final NDArray lrScalar;
    private final NDArray momentumScalar;
    private long steps;

    /**
     * @param parent the manager to hang this optimizer's state manager under
     * @param shapes the parameters it will update, by name
     */
    public Sgd(NDManager parent, Map<String, Shape> shapes, float lr, float momentum, boolean nesterov) {
        this.lr = lr;
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.owner = new StateOwner(parent, "optimizer");
        this.buffers = new StateArrays("sgd.momentum", owner.manager(), momentum > 0 ? shapes : Map.of());
        this.lrScalar = Scalars.constant(owner.manager(), lr);
        this.momentumScalar = Scalars.constant(owner.manager(), momentum);
    }

    @Override
    public void step(List<String> names, List<NDArray> weights, List<NDArray> gradients) {
        owner.ensureOpen();
        steps++;
        // In place, the gradient as scratch (ParameterOptimizer#step): values as torch.optim.SGD's.
        for (int i = 0; i < names.size(); i++) {
            NDArray g = gradients.get(i);
            NDArray d = g;
            if (momentum > 0) {
                NDArray b = buffers.get(names.get(i));
                b.muli(momentumScalar).addi(g);
                if (nesterov) {
                    g.addi(b.mul(momentumScalar));
                } else {
                    d = b.mul(lrScalar);
                    weights.get(i).subi(d);
                    continue;
                }
            }
            weights.get(i).subi(d.muli(lrScalar));
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
        buffers.export(out);
        return out;
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> state, long stepCount) {
        owner.ensureOpen();
        buffers.load(state);
        steps = stepCount;
    }

    @Override
    public void reset() {
        owner.ensureOpen();
        buffers.zero();
        steps = 0;
    }

    @Override
    public void close() {
        owner.close();
    }
}
