package io.ctta.adapters.continual;

import ai.djl.ndarray.NDArray;
import io.ctta.runtime.adapt.StrategyState;
import java.util.List;
import java.util.Map;

/**
 * A loss term over the parameters that is added to the task loss of any gradient strategy
 * ({@code L = L_task + ρ·R(θ)}); composes with SGD, Adam and UPGD alike.
 *
 * <p>Lifecycle: built once per strategy over a fixed, ordered list of parameters; then
 * {@link #penalty} once per learning step, inside the step's gradient session and step scope;
 * {@code exportState}/{@code importState} for snapshots; {@code close} frees its state arrays.
 * Not thread-safe.
 */
public interface Regularizer extends AutoCloseable {

    /** {@code spectral} or {@code wasserstein}. */
    String name();

    /**
     * {@code ρ·R(θ)} as a scalar connected to the autograd graph of {@code weights} (in the order
     * the regularizer was built with), or null when no term applies (e.g. {@code ρ = 0}). May update
     * the regularizer's own state (the power-iteration vectors).
     */
    NDArray penalty(List<NDArray> weights);

    /** The state tensors by name, on the heap. */
    Map<String, StrategyState.Tensor> exportState();

    /** Restores state exported by a regularizer of the same kind over the same parameters. */
    void importState(Map<String, StrategyState.Tensor> state);

    /** Back to the state it was built with. */
    void reset();

    /** Frees the state arrays. Idempotent. */
    @Override
    void close();
}
