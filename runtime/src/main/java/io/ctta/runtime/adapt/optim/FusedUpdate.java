package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Objects;

/**
 * An optimizer's next step as the arguments of a fused learning-step kernel
 * ({@link io.ctta.runtime.adapt.LibtorchKernels#mlpStep}): which update rule, the state it updates
 * in place and its scalars. Why: at batch 1 a step on a small network costs its native calls, not
 * its arithmetic; a kernel that runs forward, backward, guard and update in one call needs the
 * optimizer's part of the step as data.
 *
 * @param rule the update rule
 * @param stateA per-parameter state in parameter order: Adam's first moments, UPGD's utility
 *     traces; empty for SGDW
 * @param stateB Adam's second moments; empty otherwise
 * @param step Adam's step number as a 0-dim float tensor (dies with the step); null otherwise
 * @param hyper the rule's scalars, in the order the kernel reads them (see each optimizer)
 * @param seeds per parameter, the generator seed of the step's noise ({@link GaussianNoise#generatorSeed});
 *     unused without noise
 */
public record FusedUpdate(Rule rule, List<NDArray> stateA, List<NDArray> stateB, NDArray step, double[] hyper,
        long[] seeds) {

    /** The update rules the kernel knows (the order is the kernel's rule number). */
    public enum Rule {
        /** {@link SgdW}: hyper = lr, shrink, sigma. */
        SGDW,
        /** {@link Adam} and {@link AdamW}: hyper = lr, shrink, beta1, beta2, epsilon. */
        ADAM,
        /** {@link Upgd}: hyper = lr, shrink, β_u, −(1 − β_u), 1 − β_u^t, σ, global, protecting, bias-corrected η, η floor. */
        UPGD
    }

    /** Checks presence; copies the lists. */
    public FusedUpdate {
        Objects.requireNonNull(rule, "rule");
        stateA = List.copyOf(stateA);
        stateB = List.copyOf(stateB);
        hyper = hyper.clone();
        seeds = seeds.clone();
    }

    /**
     * What the kernel reports back to the optimizer of an applied step.
     *
     * @param eta UPGD's global maximum (NaN otherwise)
     * @param etaGuarded whether UPGD's maximum was raised to its floor
     */
    public record Applied(float eta, boolean etaGuarded) {}
}
