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
    }

    @Override
    public void step(List<String> names, List<NDArray> weights, List<NDArray> gradients) {
        owner.ensureOpen();
        steps++;
        for (int i = 0; i < names.size(); i++) {
            NDArray g = gradients.get(i);
            NDArray d = g;
            if (momentum > 0) {
                NDArray b = buffers.get(names.get(i));
                b.muli(momentum).addi(g);
                d = nesterov ? g.add(b.mul(momentum)) : b;
            }
            weights.get(i).subi(d.mul(lr));
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
