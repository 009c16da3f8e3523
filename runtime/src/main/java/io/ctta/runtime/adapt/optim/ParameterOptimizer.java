package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import io.ctta.runtime.adapt.StrategyState;
import java.util.List;
import java.util.Map;

/**
 * A first-order optimizer over a fixed set of named parameters whose whole state (moments, step
 * count) can be exported to the heap and imported again; DJL's built-in optimizers keep theirs
 * private, which rules out exact checkpoints.
 *
 * <p>State arrays live in the optimizer's own manager (a sub-manager of the model's, the
 * "strategy manager"), created eagerly at construction, never inside a step. {@link #step} must
 * run with grad mode off inside a {@code StepScope}: its temporaries die with the step.
 */
public interface ParameterOptimizer extends AutoCloseable {

    /**
     * Applies one update to every listed parameter, in place; counts as one step. The gradients
     * are the step's scratch: their values afterwards are unspecified (every caller zeroes them
     * after the step anyway, PyTorch accumulating gradients), which lets the update run in place
     * instead of allocating a temporary per operation.
     */
    void step(List<String> names, List<NDArray> weights, List<NDArray> gradients);

    /**
     * The arguments of this optimizer's next step for a fused learning-step kernel, or empty when
     * it has no fused form. Changes nothing: the kernel may still refuse the step (a non-finite or
     * zero gradient); {@link #fusedStepApplied} counts it once the kernel applied it.
     *
     * @param names the parameters the kernel updates, in its order
     * @param step the step's manager (any tensor made for the call dies with it)
     */
    default java.util.Optional<FusedUpdate> fusedUpdate(List<String> names, ai.djl.ndarray.NDManager step) {
        return java.util.Optional.empty();
    }

    /**
     * Counts the step a fused kernel applied with the arguments {@link #fusedUpdate} gave, as
     * {@link #step} would have.
     */
    default void fusedStepApplied(FusedUpdate.Applied applied) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no fused step");
    }

    /** Completed steps. */
    long stepCount();

    /** The state tensors by {@code "<kind>/<parameter>"} name, on the heap. */
    Map<String, StrategyState.Tensor> exportState();

    /** Restores state exported by the same optimizer kind over the same parameters. */
    void importState(Map<String, StrategyState.Tensor> state, long stepCount);

    /** Zeroes all state (fresh optimizer). */
    void reset();

    /** Frees the state arrays. Idempotent. */
    @Override
    void close();
}
