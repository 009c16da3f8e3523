package io.ctta.adapters.ecotta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.ctta.adapters.support.GradientGuard;
import io.ctta.adapters.support.OwnedModel;
import io.ctta.adapters.support.StrategyStates;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.adapt.GraphScalars;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * EcoTTA (Song et al., CVPR 2023; docs/strategies/ecotta.md): the source model frozen in eval mode, a small
 * meta network per encoder partition ({@code a_k = BN_k(f_k(a_{k-1})) + G_k(a_{k-1})}), warmed up
 * once on labelled source data, then adapted on the unlabelled stream. Per batch of B ≥ 2:
 * <ol>
 *   <li>one forward, meta BatchNorms on batch statistics; the published predictions are its
 *       output (predict, then adapt);</li>
 *   <li>{@code L = L_ent + λ Σ_k R_k}: the mean entropy of the samples with
 *       {@code H < entropyFactor · ln C} (0 when none passes) plus the self-distilled regulariser
 *       {@code R_k = mean |BN_k(sg(o_k)) + G_k(sg(a_{k-1})) − sg(o_k)|};</li>
 *   <li>one backward inside the {@link GradientGate}; the entropy gradient reaches every meta
 *       network through the frozen layers, {@code R_k} only meta network {@code k};</li>
 *   <li>one optimizer step (SGD with momentum by default) on the meta networks only. The frozen
 *       network's parameters, BN statistics included, stay bit-identical.</li>
 * </ol>
 *
 * <p>Outcomes: APPLIED with the loss and the kept fraction in the detail
 * ({@code kept=37/64}); SKIPPED when no sample passes the filter (no update: the regulariser alone
 * would only pull the meta networks back), for an all-zero gradient, and for a batch of one
 * (predicted with the meta BNs' running statistics); DIVERGED for a non-finite loss or gradient,
 * with parameters and optimizer unchanged.
 *
 * <p>Any model that exposes its stages (built-in models; TorchScript modules exporting
 * {@code stage1..stageN} and {@code classify}): see {@link EcottaNetwork}. See docs/strategies/ecotta.md.
 */
public final class EcottaStrategy implements AdaptationStrategy {

    /** The registered name. */
    public static final String NAME = "ecotta";

    private static final String PARAM = "param/";
    private static final String OPT = "opt/";

    /**
     * How the meta networks were warmed up at creation.
     *
     * @param fromCache whether a cached warm-up was loaded (then the other counts are 0)
     * @param steps warm-up optimizer steps run now
     * @param finalEpochLoss mean source cross-entropy over the last warm-up epoch (NaN from cache)
     * @param finalEpochAccuracy source accuracy over the last warm-up epoch (NaN from cache)
     * @param millis wall time of the warm-up or of the cache load
     * @param cacheFile the cache file read or written; null when caching is off
     */
    public record WarmUp(boolean fromCache, long steps, double finalEpochLoss, double finalEpochAccuracy, long millis,
            Path cacheFile) {}

    private final EcottaNetwork net;
    private final OwnedModel owned;
    private final EcottaSettings settings;
    private final GradientGate gate;
    private final double threshold;
    private final Map<String, StrategyState.Tensor> warmedUp;
    private final ParameterOptimizer optimizer;
    private final WarmUp warmUp;
    private long version;
    private double lastKeptFraction = Double.NaN;

    private EcottaStrategy(EcottaNetwork net, EcottaSettings settings, GradientGate gate, WarmUp warmUp) {
        this.net = net;
        this.owned = new OwnedModel(NAME, net.model());
        this.settings = settings;
        this.gate = gate;
        this.warmUp = warmUp;
        this.threshold = settings.entropyThreshold(net.model().spec().numClasses());
        this.warmedUp = net.snapshot();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (int i = 0; i < net.trainableNames().size(); i++) {
            shapes.put(net.trainableNames().get(i), net.trainable().get(i).getShape());
        }
        this.optimizer = settings.optimizerSettings().create(net.model().manager(), shapes);
    }

    /**
     * Builds the strategy over {@code model} (which it then owns): attaches meta networks, then
     * loads the cached warm-up for this model, partitioning, warm-up settings and seed, or runs the
     * warm-up on {@code source} (and caches it when {@code settings.cacheDir()} is set).
     *
     * <p>On failure the model is left open (the caller still owns it); everything else this call
     * created is freed.
     *
     * @param source labelled clean training samples; may be null when a cached warm-up exists
     * @throws IllegalArgumentException when the model is not supported, the partitions do not fit
     *     it, or there is neither source data nor a usable cached warm-up
     * @throws UncheckedIOException when the cache directory cannot be written
     */
    public static EcottaStrategy create(AdaptiveModel model, EcottaSettings settings, long seed, SourceData source,
            GradientGate gate) {
        SplittableRandom root = new SplittableRandom(seed);
        long initSeed = root.nextLong();
        long warmSeed = root.nextLong();
        EcottaNetwork net = new EcottaNetwork(model, settings.partitions(), initSeed);
        try {
            WarmUp w = warmUp(net, settings, seed, warmSeed, source, gate);
            return new EcottaStrategy(net, settings, gate, w);
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private static WarmUp warmUp(EcottaNetwork net, EcottaSettings s, long seed, long warmSeed, SourceData source,
            GradientGate gate) {
        long start = System.nanoTime();
        WarmUpCache cache = s.cacheDir().isEmpty() ? null : new WarmUpCache(Path.of(s.cacheDir()));
        String key = cache == null ? null : WarmUpCache.key(net, s, seed);
        String sourceFingerprint = source == null ? null : WarmUpCache.sourceFingerprint(source);
        if (cache != null) {
            Path file = cache.file(key);
            try {
                Optional<WarmUpCache.Entry> hit = cache.load(key);
                if (hit.isPresent() && (source == null || hit.get().sourceFingerprint().equals(sourceFingerprint))) {
                    net.restore(hit.get().tensors());
                    return new WarmUp(true, 0, Double.NaN, Double.NaN, (System.nanoTime() - start) / 1_000_000, file);
                }
            } catch (IOException | IllegalArgumentException e) {
                if (source == null) {
                    throw new IllegalArgumentException("ecotta: the cached warm-up " + file + " cannot be used ("
                            + e.getMessage() + ") and there is no source data to redo it; delete the file and give the"
                            + " deployment labelled source data", e);
                }
                // With source data at hand a broken entry is simply replaced.
            }
            if (source != null) {
                try {
                    cache.checkWritable();
                } catch (IOException e) {
                    throw new UncheckedIOException(EcottaSettings.PREFIX + ".cache-dir: cannot write to " + s.cacheDir()
                            + " (" + e.getMessage() + "); fix the directory or set the key to \"\" to disable caching", e);
                }
            }
        }
        if (source == null) {
            throw new IllegalArgumentException("ecotta needs labelled source data once, to warm up its meta networks"
                    + " (docs/strategies/ecotta.md), and found no cached warm-up "
                    + (cache == null ? "(" + EcottaSettings.PREFIX + ".cache-dir is not set)"
                            : "in " + s.cacheDir() + " for this model, partitioning, warm-up settings and seed")
                    + "; give the deployment source data (the clean training set) or point "
                    + EcottaSettings.PREFIX + ".cache-dir at a directory holding a warm-up of this model");
        }
        MetaWarmUp.Report r = MetaWarmUp.run(net, source, s, warmSeed, gate);
        Path file = null;
        if (cache != null) {
            try {
                file = cache.save(key, new WarmUpCache.Entry(sourceFingerprint, net.snapshot()));
            } catch (IOException e) {
                throw new UncheckedIOException("ecotta: cannot write the warm-up cache in " + s.cacheDir() + ": "
                        + e.getMessage(), e);
            }
        }
        return new WarmUp(false, r.steps(), r.finalEpochLoss(), r.finalEpochAccuracy(), r.millis(), file);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelOutput predict(InputBatch batch) {
        owned.ensureOpen();
        long producedBy = version;
        if (batch.size() < 2) {
            try (StepScope step = net.model().newStep()) {
                NDArray logits = net.forward(step.manager(), batch, EcottaNetwork.MetaMode.RUNNING_STATS).logits();
                return AdaptiveModel.toOutput(logits, producedBy,
                        StepOutcome.skipped(Double.NaN, "batch of 1: meta BNs use running statistics, no update"));
            }
        }
        try (StepScope step = net.model().newStep()) {
            NDArray logits;
            float loss;
            int kept;
            boolean backwardRan = false;
            try (GradientGate.Session session = gate.open()) {
                EcottaNetwork.Forward f = net.forward(step.manager(), batch, EcottaNetwork.MetaMode.UPDATE_STATS);
                logits = f.logits();
                EcottaLosses.FilteredEntropy ent = EcottaLosses.filteredMeanEntropy(logits, threshold);
                kept = ent.kept();
                float entropy = ent.loss().getFloat();
                boolean adapt = kept > 0 && Float.isFinite(entropy);
                // Two backward passes, entropy first: its graph (through the frozen layers) is freed
                // before the regulariser's small graph on detached inputs is built, so the peak
                // memory is the larger of the two rather than their sum. Gradients add up in the
                // meta parameters exactly as for one backward of L_ent + λ Σ R_k.
                if (adapt) {
                    session.backward(ent.loss());
                    backwardRan = true;
                }
                float regularizer = 0;
                if (settings.lambda() > 0) {
                    NDArray reg = null;
                    for (int k = 0; k < net.partitionCount(); k++) {
                        NDArray r = net.regularizer(f, k);
                        reg = reg == null ? r : reg.add(r);
                    }
                    NDArray weighted = GraphScalars.mul(reg, settings.lambda());
                    regularizer = weighted.getFloat();
                    if (adapt && Float.isFinite(regularizer)) {
                        session.backward(weighted);
                    }
                }
                loss = entropy + regularizer;
            }
            lastKeptFraction = (double) kept / batch.size();
            String keptDetail = "kept=" + kept + "/" + batch.size();
            ModelOutput out = AdaptiveModel.toOutput(logits, producedBy, StepOutcome.none());
            if (!Float.isFinite(loss)) {
                if (backwardRan) {
                    Gradients.zero(MetaWarmUp.gradients(net.trainable()));
                }
                return out.withStep(StepOutcome.diverged(loss, "non-finite loss; parameters unchanged; " + keptDetail));
            }
            if (kept == 0) {
                return out.withStep(StepOutcome.skipped(loss, String.format(Locale.ROOT,
                        "no sample below the entropy threshold %.4f; %s", threshold, keptDetail)));
            }
            List<NDArray> grads = MetaWarmUp.gradients(net.trainable());
            StepOutcome rejected = GradientGuard.reject(loss, "; " + keptDetail, grads);
            if (rejected != null) {
                return out.withStep(rejected);
            }
            optimizer.step(net.trainableNames(), net.trainable(), grads);
            Gradients.zero(grads);
            version++;
            return out.withStep(new StepOutcome(StepOutcome.Kind.APPLIED, loss, keptDetail));
        }
    }

    @Override
    public long modelVersion() {
        return version;
    }

    /** The fraction of the last adapted batch that passed the entropy filter (NaN before any). */
    public double lastKeptFraction() {
        return lastKeptFraction;
    }

    /** How the meta networks were warmed up when this strategy was created. */
    public WarmUp warmUp() {
        return warmUp;
    }

    /** The entropy threshold {@code H0} in use. */
    public double entropyThreshold() {
        return threshold;
    }

    /** The network (for tests in this package). */
    EcottaNetwork network() {
        return net;
    }

    /** The number of trainable meta-network values (the only parameters that change). */
    public long trainableParameterCount() {
        return net.trainableParameterCount();
    }

    /**
     * Every meta tensor ({@code param/meta.<k>.<part>}, running statistics included; the frozen
     * network is not in it: it equals the model the strategy was created with), the optimizer state
     * ({@code opt/...}) and the optimizer step count.
     */
    /** Key scope over the shared network: its snapshot holds only the meta networks (their BatchNorm statistics included), their optimizer state and the version. */
    @Override
    public java.util.Optional<io.ctta.runtime.adapt.KeyScopedState> keyScopedState() {
        return java.util.Optional.of(io.ctta.runtime.adapt.KeyScopedState.bySnapshot(this));
    }

    @Override
    public StrategyState snapshot() {
        owned.ensureOpen();
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        StrategyStates.putPrefixed(tensors, PARAM, net.snapshot());
        StrategyStates.putPrefixed(tensors, OPT, optimizer.exportState());
        Map<String, Double> scalars = new HashMap<>();
        scalars.put("optimizer.steps", (double) optimizer.stepCount());
        if (!Double.isNaN(lastKeptFraction)) {
            scalars.put("kept.fraction", lastKeptFraction);
        }
        return new StrategyState(NAME, version, tensors, scalars);
    }

    @Override
    public void restore(StrategyState state) {
        owned.ensureOpen();
        StrategyStates.requireStrategy(state, NAME);
        Map<String, Map<String, StrategyState.Tensor>> parts = StrategyStates.byPrefix(state.tensors(), PARAM, OPT);
        Map<String, StrategyState.Tensor> before = net.snapshot();
        net.restore(parts.get(PARAM));
        try {
            optimizer.importState(parts.get(OPT), StrategyStates.countOrZero(state, "optimizer.steps"));
        } catch (RuntimeException e) {
            net.restore(before); // all or nothing
            throw e;
        }
        version = state.modelVersion();
        Double kept = state.scalars().get("kept.fraction");
        lastKeptFraction = kept == null ? Double.NaN : kept;
    }

    /** Back to the creation state: the warmed-up meta networks, a fresh optimizer, version 0. */
    @Override
    public void reset() {
        owned.ensureOpen();
        net.restore(warmedUp);
        optimizer.reset();
        version = 0;
        lastKeptFraction = Double.NaN;
    }

    @Override
    public void close() {
        owned.close(optimizer, net);
    }
}
