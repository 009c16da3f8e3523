package io.ctta.adapters.continual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.ctta.runtime.adapt.GraphScalars;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.StateArrays;
import io.ctta.runtime.adapt.optim.StateOwner;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Wasserstein regularization towards the initial weight distribution (Lewandowski et al., v1 of
 * "Learning Continually by Spectral Regularization", arXiv 2406.06811; docs/strategies/spectral.md). For every parameter
 * tensor, the squared 2-Wasserstein distance between the empirical distribution of its current
 * values and that of its initial values, which for equal sizes is the sum of squared differences
 * of the sorted values: {@code R_W = Σ_l Σ_i (sort(θ_l)_i − sort(θ⁰_l)_i)²}, returned as
 * {@code ρ·R_W}. The sort is differentiable: each sorted element's gradient goes back to the
 * position it came from, {@code ∂R_W/∂θ_j = 2 (θ_j − sort(θ⁰)_{rank(θ_j)})}.
 *
 * <p>Unlike L2-Init it lets weights trade places: only the distribution is anchored.
 *
 * <p>State: the sorted initial values of each tensor (1× model size), exported as
 * {@code wasserstein.init/<parameter>} so that a restored strategy keeps the anchor of the model
 * it was first created with.
 */
public final class WassersteinRegularizer implements Regularizer {

    private static final String KIND = "wasserstein.init";

    private final List<String> names;
    private final WassersteinSettings settings;
    private final StateOwner owner;
    private final Map<String, NDArray> anchors = new LinkedHashMap<>();

    /**
     * @param parent the manager to hang the anchors under (the model's)
     * @param names the parameters, in the order {@link #penalty} receives them
     * @param initial their initial values (heap copies are sorted and kept)
     */
    public WassersteinRegularizer(NDManager parent, List<String> names, List<float[]> initial,
            WassersteinSettings settings) {
        if (names.size() != initial.size()) {
            throw new IllegalArgumentException("names and initial values must have the same length");
        }
        this.names = List.copyOf(names);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.owner = new StateOwner(parent, "wasserstein regularizer");
        for (int i = 0; i < names.size(); i++) {
            float[] sorted = initial.get(i).clone();
            Arrays.sort(sorted);
            NDArray a = owner.manager().create(sorted);
            NDScope.unregister(a);
            anchors.put(names.get(i), a);
        }
    }

    @Override
    public String name() {
        return "wasserstein";
    }

    @Override
    public NDArray penalty(List<NDArray> weights) {
        owner.ensureOpen();
        if (weights.size() != names.size()) {
            throw new IllegalArgumentException("expected " + names.size() + " parameters, got " + weights.size());
        }
        if (settings.rho() == 0) {
            return null;
        }
        NDArray total = null;
        for (int i = 0; i < names.size(); i++) {
            NDArray sorted = weights.get(i).flatten().sort();
            NDArray term = sorted.sub(anchors.get(names.get(i))).square().sum();
            total = total == null ? term : total.add(term);
        }
        return total == null ? null : GraphScalars.mul(total, settings.rho());
    }

    @Override
    public Map<String, StrategyState.Tensor> exportState() {
        owner.ensureOpen();
        return StateArrays.export(KIND, anchors);
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> state) {
        owner.ensureOpen();
        StateArrays.loadAll("wasserstein regularizer", KIND, anchors, state);
    }

    /** Nothing to do: the anchors are the initial distribution and never change. */
    @Override
    public void reset() {
        owner.ensureOpen();
    }

    @Override
    public void close() {
        owner.close();
    }
}
