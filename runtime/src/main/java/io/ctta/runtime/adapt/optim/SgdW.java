package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ctta.runtime.adapt.StrategyState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plain SGD with decoupled weight decay and optional Gaussian perturbation, the streaming
 * baselines of the UPGD paper (Elsayed and Mahmood, ICLR 2024; docs/strategies/sgd-adam.md):
 * {@code W ← (1 − α·λ)·W − α·(g + ξ)}, {@code ξ ~ N(0, σ²)} fresh every step.
 *
 * <p>{@code σ = 0, λ = 0} is SGD; {@code σ = 0} is SGDW; {@code σ > 0, λ = 0} is PGD;
 * {@code σ > 0, λ > 0} is Shrink-and-Perturb. No momentum: the tuned streaming baselines use
 * none. The noise comes from {@link GaussianNoise}, so the only state is the step count.
 */
public final class SgdW implements ParameterOptimizer {

    private static final String SEED = "sgdw.noise-seed";

    private final float lr;
    private final float weightDecay;
    private final float sigma;
    private final long initialSeed;
    private long seed;
    private long steps;
    private boolean closed;

    /**
     * @param lr step size α (> 0)
     * @param weightDecay decoupled decay λ (≥ 0); the weights shrink by {@code α·λ} per step
     * @param sigma noise standard deviation σ (≥ 0)
     * @param seed the noise seed
     * @throws IllegalArgumentException when a value is out of range or {@code α·λ ≥ 1}
     */
    public SgdW(float lr, float weightDecay, float sigma, long seed) {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (!(weightDecay >= 0) || lr * weightDecay >= 1) {
            throw new IllegalArgumentException("weight decay must be >= 0 with lr * weight decay < 1, got " + weightDecay);
        }
        if (!(sigma >= 0) || !Float.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be >= 0, got " + sigma);
        }
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.sigma = sigma;
        this.initialSeed = seed;
        this.seed = seed;
    }

    @Override
    public void step(List<String> names, List<NDArray> weights, List<NDArray> gradients) {
        ensureOpen();
        steps++;
        float shrink = 1f - lr * weightDecay;
        if (names.isEmpty()) {
            return;
        }
        // The constants as step-scoped tensors (this optimizer has no state manager): one native
        // call per use instead of three.
        try (NDManager stepScalars = gradients.get(0).getManager().newSubManager()) {
            update(weights, gradients, stepScalars.create(lr), stepScalars.create(shrink), shrink);
        }
    }

    private void update(List<NDArray> weights, List<NDArray> gradients, NDArray lrScalar, NDArray shrinkScalar,
            float shrink) {
        // In place, the gradient as scratch (ParameterOptimizer#step); the noise is drawn into a
        // reused native buffer, not a heap array.
        for (int i = 0; i < weights.size(); i++) {
            NDArray w = weights.get(i);
            NDArray d = gradients.get(i);
            if (sigma > 0) {
                d.addi(GaussianNoise.draw(d.getManager(), seed, steps, i, w.getShape(), sigma));
            }
            if (shrink != 1f) {
                w.muli(shrinkScalar);
            }
            w.subi(d.muli(lrScalar));
        }
    }

    /** {@link FusedUpdate.Rule#SGDW}: lr, shrink, sigma; the noise seeds of step {@code t + 1}. */
    @Override
    public Optional<FusedUpdate> fusedUpdate(List<String> names, NDManager step) {
        ensureOpen();
        long[] seeds = new long[names.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = GaussianNoise.generatorSeed(seed, steps + 1, i);
        }
        return Optional.of(new FusedUpdate(FusedUpdate.Rule.SGDW, List.of(), List.of(), null,
                new double[] {lr, 1f - lr * weightDecay, sigma}, seeds));
    }

    @Override
    public void fusedStepApplied(FusedUpdate.Applied applied) {
        ensureOpen();
        steps++;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    /**
     * The noise seed ({@code sgdw.noise-seed}); the noise is a function of (seed, step), and the
     * step count is passed separately.
     */
    @Override
    public Map<String, StrategyState.Tensor> exportState() {
        ensureOpen();
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        out.put(SEED, GaussianNoise.seedTensor(seed));
        return out;
    }

    /** Takes the step count and, when present, the noise seed. */
    @Override
    public void importState(Map<String, StrategyState.Tensor> state, long stepCount) {
        ensureOpen();
        seed = GaussianNoise.seedOf(state, SEED, seed);
        steps = stepCount;
    }

    /** Step count 0 and the seed it was built with. */
    @Override
    public void reset() {
        ensureOpen();
        steps = 0;
        seed = initialSeed;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("optimizer is closed");
        }
    }
}
