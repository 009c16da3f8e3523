package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.ctta.runtime.adapt.StrategyState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;

/**
 * UPGD, Utility-based Perturbed Gradient Descent, weight-wise with the first-order utility
 * (Elsayed and Mahmood, ICLR 2024, Algorithm 1; docs/strategies/upgd.md). Per step {@code t}, for every tensor
 * {@code W} with gradient {@code g}:
 * <ol>
 *   <li>{@code u = −g ⊙ W} (weights before the update);</li>
 *   <li>trace {@code Ũ ← β_u·Ũ + (1 − β_u)·u};</li>
 *   <li>bias correction {@code Û = Ũ / (1 − β_u^t)};</li>
 *   <li>global scaling: {@code η = max Û} over all elements of all tensors (or {@code max Ũ} with
 *       {@link UtilityMax#RAW_TRACE}, the reference code), guarded by {@code η ← max(η, 1e-12)};
 *       {@code Ū = σ(Û / η)}. Local scaling instead: {@code Ū[i,:] = σ(Û[i,:] / ‖Û[i,:]‖₂)};</li>
 *   <li>noise {@code ξ ~ N(0, σ_n²)} per element, fresh every step ({@link GaussianNoise});</li>
 *   <li>protecting: {@code W ← (1 − αλ)·W − α·(g + ξ) ⊙ (1 − Ū)}; non-protecting:
 *       {@code W ← (1 − αλ)·W − α·(g + ξ ⊙ (1 − Ū))}.</li>
 * </ol>
 * Steps 1–4's reductions finish for every tensor before any tensor is updated (two passes),
 * because {@code η} is global. The step is {@code α}, not the reference README's {@code 2α} (docs/strategies/upgd.md,
 * "Deviations and decisions").
 *
 * <p>State: one utility trace per parameter (+1× model size), the noise seed and the step count;
 * the noise is a function of (seed, step), so restoring them replays it bit for bit.
 */
public final class Upgd implements ParameterOptimizer {

    /** The guard for a non-positive global maximum (the reference code has none; docs/strategies/upgd.md). */
    public static final float ETA_FLOOR = 1e-12f;

    /** How utilities are squashed into (0, 1). */
    public enum Scaling {
        /** {@code σ(Û / max Û)} with the maximum over the whole network (the paper's default). */
        GLOBAL,
        /** {@code σ(Û[i,:] / ‖Û[i,:]‖₂)} per row of each tensor (the appendix variant). */
        LOCAL
    }

    /** Whether the gate also scales the gradient. */
    public enum Form {
        /** {@code (g + ξ) ⊙ (1 − Ū)}: useful weights are protected (the paper's UPGD). */
        PROTECTING,
        /** {@code g + ξ ⊙ (1 − Ū)}: only the noise is gated (ablation against loss of plasticity). */
        NON_PROTECTING
    }

    /** Which value is the global maximum {@code η} (the paper and its reference code differ; docs/strategies/upgd.md). */
    public enum UtilityMax {
        /** {@code η = max Û}, bias-corrected, as in the paper's Algorithm 1 (default). */
        BIAS_CORRECTED,
        /** {@code η = max Ũ}, the uncorrected trace, as in the reference code. */
        RAW_TRACE
    }

    /**
     * The hyperparameters.
     *
     * @param lr step size α (> 0)
     * @param weightDecay decoupled weight decay λ (≥ 0, {@code α·λ < 1})
     * @param betaUtility trace decay β_u in [0, 1)
     * @param sigma noise standard deviation σ_n (≥ 0)
     * @param scaling global (default) or local
     * @param form protecting (default) or non-protecting
     * @param utilityMax which maximum global scaling divides by
     * @param seed the noise seed
     */
    public record Options(float lr, float weightDecay, float betaUtility, float sigma, Scaling scaling, Form form,
            UtilityMax utilityMax, long seed) {
        /** Validates ranges. */
        public Options {
            Objects.requireNonNull(scaling, "scaling");
            Objects.requireNonNull(form, "form");
            Objects.requireNonNull(utilityMax, "utilityMax");
            if (!(lr > 0) || !Float.isFinite(lr)) {
                throw new IllegalArgumentException("lr must be > 0, got " + lr);
            }
            if (!(weightDecay >= 0) || lr * weightDecay >= 1) {
                throw new IllegalArgumentException("weight decay must be >= 0 with lr * weight decay < 1, got "
                        + weightDecay);
            }
            if (!(betaUtility >= 0 && betaUtility < 1)) {
                throw new IllegalArgumentException("beta utility must be in [0, 1), got " + betaUtility);
            }
            if (!(sigma >= 0) || !Float.isFinite(sigma)) {
                throw new IllegalArgumentException("sigma must be >= 0, got " + sigma);
            }
        }

        /**
         * The runtime default (our choice, docs/strategies/upgd.md): first order, global, protecting,
         * {@code α = 0.01, β_u = 0.999, σ = 0.001, λ = 0.001}, η after bias correction.
         */
        public static Options defaults(long seed) {
            return new Options(0.01f, 0.001f, 0.999f, 0.001f, Scaling.GLOBAL, Form.PROTECTING,
                    UtilityMax.BIAS_CORRECTED, seed);
        }
    }

    private static final String SEED = "upgd.noise-seed";

    private final Options options;
    private long seed;
    private final StateOwner owner;
    private final StateArrays traces;
    private final NDArray betaScalar;
    private final NDArray negOneMinusBeta;
    private final NDArray oneScalar;
    private final NDArray lrScalar;
    private long steps;
    private long etaGuards;
    private float lastEta = Float.NaN;

    /**
     * @param parent the manager to hang this optimizer's state manager under
     * @param shapes the parameters it will update, by name, in a fixed order (the order indexes the
     *     noise streams)
     */
    public Upgd(NDManager parent, Map<String, Shape> shapes, Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.seed = options.seed();
        this.owner = new StateOwner(parent, "optimizer");
        this.traces = new StateArrays("upgd.utility", owner.manager(), shapes);
        NDManager m = owner.manager();
        this.betaScalar = Scalars.constant(m, options.betaUtility());
        this.negOneMinusBeta = Scalars.constant(m, -(1 - options.betaUtility()));
        this.oneScalar = Scalars.constant(m, 1f);
        this.lrScalar = Scalars.constant(m, options.lr());
    }

    /** The hyperparameters. */
    public Options options() {
        return options;
    }

    @Override
    public void step(List<String> names, List<NDArray> weights, List<NDArray> gradients) {
        owner.ensureOpen();
        steps++;
        float biasCorrection = (float) (1 - Math.pow(options.betaUtility(), steps));
        try (NDManager stepScalars = owner.manager().newSubManager()) {
            update(names, weights, gradients, biasCorrection, stepScalars);
        }
    }

    /**
     * The step, in place with the gradient as scratch (ParameterOptimizer#step), the same
     * operations in the same order as the paper's algorithm above, so results are bit for bit those
     * of the allocating version: per tensor two temporaries in pass 1 and three in pass 2, the
     * global maximum reduced natively and read once, the noise drawn into reused native buffers.
     */
    private void update(List<String> names, List<NDArray> weights, List<NDArray> gradients, float biasCorrection,
            NDManager stepScalars) {
        boolean global = options.scaling() == Scaling.GLOBAL;
        // Pass 1: traces of every tensor, and the global maximum.
        NDArray max = null;
        for (int i = 0; i < names.size(); i++) {
            NDArray trace = traces.get(names.get(i));
            // −(g ⊙ W)·(1 − β_u) as one scale by −(1 − β_u): negation is exact, so the value is unchanged.
            NDArray u = gradients.get(i).mul(weights.get(i)).muli(negOneMinusBeta);
            trace.muli(betaScalar).addi(u);
            if (global) {
                NDArray m = trace.max();
                max = max == null ? m : max.maximum(m);
            }
        }
        float eta = Float.NaN;
        if (global) {
            double mx = max == null ? Double.NEGATIVE_INFINITY : max.getFloat();
            // max Û = max Ũ / (1 − β_u^t) because the correction is positive.
            double m = options.utilityMax() == UtilityMax.BIAS_CORRECTED ? mx / biasCorrection : mx;
            if (!(m > ETA_FLOOR)) {
                etaGuards++;
                m = ETA_FLOOR;
            }
            eta = (float) m;
        }
        lastEta = eta;
        // Pass 2: gate, noise and update.
        float shrink = 1f - options.lr() * options.weightDecay();
        NDArray correctionScalar = stepScalars.create(biasCorrection);
        NDArray etaScalar = global ? stepScalars.create(eta) : null;
        NDArray shrinkScalar = shrink != 1f ? stepScalars.create(shrink) : null;
        for (int i = 0; i < names.size(); i++) {
            NDArray w = weights.get(i);
            NDArray g = gradients.get(i);
            NDArray corrected = traces.get(names.get(i)).div(correctionScalar);
            NDArray scaled = global
                    ? Activation.sigmoid(corrected.divi(etaScalar))
                    : Activation.sigmoid(rowNormalised(corrected));
            NDArray gate = scaled.negi().addi(oneScalar);
            if (options.sigma() > 0) {
                NDArray xi = GaussianNoise.draw(g.getManager(), seed, steps, i, w.getShape(), options.sigma());
                if (options.form() == Form.PROTECTING) {
                    g.addi(xi).muli(gate);
                } else {
                    // Not xi.muli: libtorch made xi in inference mode, where it may not be updated in place.
                    g.addi(xi.mul(gate));
                }
            } else if (options.form() == Form.PROTECTING) {
                g.muli(gate);
            }
            if (shrinkScalar != null) {
                w.muli(shrinkScalar);
            }
            w.subi(g.muli(lrScalar));
        }
    }

    /** {@code Û[i,:] / max(‖Û[i,:]‖₂, 1e-12)} over rows of the tensor seen as {@code shape[0] × rest}. */
    private static NDArray rowNormalised(NDArray a) {
        Shape shape = a.getShape();
        long rows = shape.dimension() < 2 ? 1 : shape.get(0);
        NDArray m = a.reshape(rows, -1);
        NDArray norm = m.square().sum(new int[] {1}, true).sqrt().maximum(ETA_FLOOR);
        return m.div(norm).reshape(shape);
    }

    /**
     * {@link FusedUpdate.Rule#UPGD}: the utility traces; lr, shrink, β_u, −(1 − β_u), the bias
     * correction of step {@code t + 1}, σ, then global, protecting and bias-corrected η as 1 or 0,
     * and the η floor: the float values {@link #step} uses, so the kernel's arithmetic is this
     * class's. The noise seeds of step {@code t + 1}.
     */
    @Override
    public Optional<FusedUpdate> fusedUpdate(List<String> names, NDManager step) {
        owner.ensureOpen();
        List<NDArray> t = new ArrayList<>(names.size());
        long[] seeds = new long[names.size()];
        for (int i = 0; i < seeds.length; i++) {
            t.add(traces.get(names.get(i)));
            seeds[i] = GaussianNoise.generatorSeed(seed, steps + 1, i);
        }
        float biasCorrection = (float) (1 - Math.pow(options.betaUtility(), steps + 1));
        double[] hyper = {options.lr(), 1f - options.lr() * options.weightDecay(), options.betaUtility(),
            -(1 - options.betaUtility()), biasCorrection, options.sigma(), options.scaling() == Scaling.GLOBAL ? 1 : 0,
            options.form() == Form.PROTECTING ? 1 : 0, options.utilityMax() == UtilityMax.BIAS_CORRECTED ? 1 : 0,
            ETA_FLOOR};
        return Optional.of(new FusedUpdate(FusedUpdate.Rule.UPGD, t, List.of(), null, hyper, seeds));
    }

    @Override
    public void fusedStepApplied(FusedUpdate.Applied applied) {
        owner.ensureOpen();
        steps++;
        lastEta = applied.eta();
        if (applied.etaGuarded()) {
            etaGuards++;
        }
    }

    @Override
    public long stepCount() {
        return steps;
    }

    /** How many steps found a non-positive global maximum and used {@link #ETA_FLOOR} (all plastic). */
    public long etaGuardCount() {
        return etaGuards;
    }

    /** The {@code η} of the last step (NaN before the first step and with local scaling). */
    public float lastEta() {
        return lastEta;
    }

    @Override
    public Map<String, StrategyState.Tensor> exportState() {
        owner.ensureOpen();
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        traces.export(out);
        out.put(SEED, GaussianNoise.seedTensor(seed));
        return out;
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> state, long stepCount) {
        owner.ensureOpen();
        traces.load(state);
        seed = GaussianNoise.seedOf(state, SEED, seed);
        steps = stepCount;
    }

    @Override
    public void reset() {
        owner.ensureOpen();
        traces.zero();
        seed = options.seed();
        steps = 0;
        etaGuards = 0;
        lastEta = Float.NaN;
    }

    @Override
    public void close() {
        owner.close();
    }
}
