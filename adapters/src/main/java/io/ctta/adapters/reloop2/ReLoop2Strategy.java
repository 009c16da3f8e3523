package io.ctta.adapters.reloop2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.adapters.support.OwnedModel;
import io.ctta.adapters.support.StrategyStates;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.util.SplitMix64;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * ReLoop2 (Zhu et al., KDD 2023; docs/strategies/reloop2.md): a training-free error memory that corrects the
 * outputs of any base strategy from the errors it made on recently labelled samples. It wraps the
 * base: the base keeps predicting and learning exactly as it would alone (ReLoop2 changes none of
 * its parameters), and ReLoop2 blends each base prediction with what similar labelled samples say.
 *
 * <p>{@link #predict}: keys of the batch from the model ({@link ReLoop2Settings#key()}), computed
 * before the base predicts (a test-time base may adapt inside its predict), then the base's
 * prediction {@code y_base}, then for every sample the K most similar memory entries and the
 * paper's compensation ({@link Compensation}).
 *
 * <p>{@link #learn}: for every labelled sample the key and the base model's eval-mode prediction
 * are computed with the current model and written with the label (the base prediction, never the
 * compensated one, as in the paper); then the labels go on to the base's {@code learn}. Recomputing at label
 * time (instead of remembering the prediction-time values) needs no per-record state here; the two
 * agree whenever the base model did not change in between, and otherwise the values belong to the
 * current model, which is what the reset rule below wants anyway.
 *
 * <p>Values: a two-class model is a click model: one value, the probability of class 1, and the
 * label 0/1, exactly the paper's scalar form. With more classes every class is a value (our
 * multi-class extension of the paper's compensation); the label is one-hot.
 *
 * <p>Refresh (stored base predictions belong to one version of the base model): the memory is cleared when the base has applied
 * {@link ReLoop2Settings#resetAfterBaseUpdates()} updates since the last clear (and whenever the
 * base goes back to an earlier version: reset, restore), when it holds
 * {@link ReLoop2Settings#resetPeriod()} writes, and decays by {@link ReLoop2Settings#decay()} per
 * {@code learn} call.
 *
 * <p>Memory: the error memory is on the heap (see {@link #memoryHeapBytes()}); the only native
 * arrays are the per-call key forward's, closed before each call returns.
 */
public final class ReLoop2Strategy implements AdaptationStrategy {

    /** The registered name. */
    public static final String NAME = "reloop2";

    private static final String BASE_T = "base/";
    private static final String BASE_S = "base.";
    private static final String MEM_T = "memory/";
    private static final String MEM_S = "memory.";

    /**
     * Counters since creation or {@link #reset()}.
     *
     * @param writes samples written to the memory
     * @param filtered labelled samples not written (error below the threshold, or down-sampled)
     * @param memoryResets times the memory was cleared by a refresh rule
     * @param compensated predictions that found neighbours and were compensated
     * @param uncompensated predictions returned as the base made them (empty memory)
     */
    public record Stats(long writes, long filtered, long memoryResets, long compensated, long uncompensated) {}

    private final AdaptationStrategy base;
    private final AdaptiveModel model;
    private final OwnedModel owned;
    private final ReLoop2Settings settings;
    private final long seed;
    private final int classes;
    private final int valueDim;
    private final ErrorMemory memory;
    /** The sketch's planes transposed (d x K·L) in native memory, for one matrix product per batch; null for knn. */
    private final NDManager own;
    private final NDArray planesT;
    private final int projWidth;
    private long anchor;
    private long candidates;
    private long writes;
    private long filtered;
    private long memoryResets;
    private long compensated;
    private long uncompensated;

    /**
     * Wraps {@code base}, which owns {@code model} (the same model): closing this strategy closes
     * the base and the model.
     *
     * @param seed draws the hash planes and the down-sampling
     * @throws IllegalArgumentException when the key cannot be computed for this model (e.g.
     *     {@code key = hidden} on a TorchScript model without features/classify) or the memory would not fit
     */
    public ReLoop2Strategy(AdaptationStrategy base, AdaptiveModel model, ReLoop2Settings settings, long seed) {
        this.base = Objects.requireNonNull(base, "base");
        this.model = Objects.requireNonNull(model, "model");
        this.owned = new OwnedModel(NAME, model);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.seed = seed;
        this.classes = model.spec().numClasses();
        this.valueDim = classes == 2 ? 1 : classes;
        int keyDim = keyDim();
        if (settings.memory().equals("knn")) {
            this.memory = new KnnMemory(keyDim, valueDim, settings.k(), settings.knnCapacity());
        } else {
            long floats = LshSketch.floatsNeeded(keyDim, valueDim, settings.k(), settings.sketchBits(),
                    settings.sketchSimilarity());
            if (floats > (1L << 28)) {
                throw new IllegalArgumentException(ReLoop2Settings.PREFIX + ".sketch.bits = " + settings.sketchBits()
                        + " with " + ReLoop2Settings.PREFIX + ".k = " + settings.k() + " needs " + (floats * 4 >> 20)
                        + " MiB of sketch; the limit is 1024 MiB: lower the bits or k");
            }
            this.memory = new LshSketch(keyDim, valueDim, settings.k(), settings.sketchBits(),
                    settings.sketchSimilarity(), SplitMix64.at(seed, 0x5EED_1A5BL));
        }
        if (memory instanceof LshSketch sketch) {
            // Hashing is K·L·d multiply-adds per key: one native matrix product per batch instead
            // of a Java loop per sample. Created once, before any step, in the strategy's own manager.
            int rows = sketch.arrays() * sketch.bits();
            float[] p = sketch.planes();
            float[] t = new float[p.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < keyDim; c++) {
                    t[c * rows + r] = p[r * keyDim + c];
                }
            }
            this.own = model.manager().newSubManager();
            this.planesT = own.create(t, new Shape(keyDim, rows));
            // Long-lived: an enclosing step (a provider built inside one) must not close it.
            ai.djl.ndarray.NDScope.unregister(planesT);
            this.projWidth = rows;
        } else {
            this.own = null;
            this.planesT = null;
            this.projWidth = 0;
        }
        this.anchor = base.modelVersion();
    }

    private int keyDim() {
        switch (settings.key()) {
            case "input":
                return sampleLength();
            case "output":
                return classes;
            default:
                InputBatch probe = new InputBatch(1, model.spec().inputShape(), new float[sampleLength()]);
                try (StepScope step = model.newStep()) {
                    NDList r = model.forwardWithFeatures(step.manager(), probe, ForwardMode.EVAL);
                    return Math.toIntExact(r.get(0).getShape().get(1));
                } catch (UnsupportedOperationException e) {
                    throw new IllegalArgumentException(ReLoop2Settings.PREFIX + ".key = hidden needs the model's last"
                            + " hidden layer, which model " + model.spec().version() + " does not expose ("
                            + e.getMessage() + "); use key = input or key = output", e);
                }
        }
    }

    private int sampleLength() {
        return InputBatch.sampleLength(model.spec().inputShape());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The wrapped strategy. */
    public AdaptationStrategy base() {
        return base;
    }

    /** The settings. */
    public ReLoop2Settings settings() {
        return settings;
    }

    /** The error memory (read-only use: tests and metrics). */
    public ErrorMemory memory() {
        return memory;
    }

    /** Heap bytes of the error memory. */
    public long memoryHeapBytes() {
        return memory.heapBytes();
    }

    /** The counters. */
    public Stats stats() {
        return new Stats(writes, filtered, memoryResets, compensated, uncompensated);
    }

    @Override
    public ModelOutput predict(InputBatch batch) {
        owned.ensureOpen();
        refresh();
        boolean empty = memory.size() == 0;
        // Keys first: a test-time base may change the model inside its own predict.
        float[] keys = empty || settings.key().equals("output") ? null : keys(batch, false).keys;
        ModelOutput out = base.predict(batch);
        if (empty) {
            uncompensated += batch.size();
            return out;
        }
        float[] probs = out.probabilities();
        if (keys == null) {
            keys = probs; // key = output: the base's own probabilities (d = C)
        }
        float[] proj = projections(keys, batch.size());
        float[] corrected = probs.clone();
        int d = memory.keyDim();
        for (int i = 0; i < batch.size(); i++) {
            float[] key = Arrays.copyOfRange(keys, i * d, (i + 1) * d);
            float[] yBase = value(probs, i);
            Neighbours nb = read(proj, i, key);
            if (nb.count() == 0) {
                uncompensated++;
                continue;
            }
            compensated++;
            float[] q = Compensation.apply(yBase, nb, settings.tau(), settings.gamma(), settings.lambda());
            if (valueDim == 1) {
                corrected[i * classes] = 1f - q[0];
                corrected[i * classes + 1] = q[0];
            } else {
                System.arraycopy(q, 0, corrected, i * classes, classes);
            }
        }
        return new ModelOutput(out.size(), out.numClasses(), corrected, out.modelVersion(), out.step());
    }

    @Override
    public StepOutcome learn(InputBatch batch, int[] labels) {
        owned.ensureOpen();
        if (labels.length != batch.size()) {
            throw new IllegalArgumentException(labels.length + " labels for a batch of " + batch.size());
        }
        for (int y : labels) {
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " is outside [0, " + classes + ")");
            }
        }
        refresh();
        Keys k = keys(batch, true);
        float[] proj = projections(k.keys, batch.size());
        int d = memory.keyDim();
        for (int i = 0; i < batch.size(); i++) {
            if (settings.resetPeriod() > 0 && memory.size() >= settings.resetPeriod()) {
                memory.clear();
                memoryResets++;
            }
            float[] yBase = value(k.probs, i);
            float[] y = new float[valueDim];
            if (valueDim == 1) {
                y[0] = labels[i] == 1 ? 1f : 0f;
            } else {
                y[labels[i]] = 1f;
            }
            long candidate = candidates++;
            if (!admitted(y, yBase, candidate)) {
                filtered++;
                continue;
            }
            float[] key = Arrays.copyOfRange(k.keys, i * d, (i + 1) * d);
            if (memory instanceof LshSketch sketch) {
                sketch.write(sketch.buckets(proj, i * projWidth), key, y, yBase);
            } else {
                memory.write(key, y, yBase);
            }
            writes++;
        }
        memory.endEpoch(settings.decay());
        return base.learn(batch, labels);
    }

    /** All sketch projections of the batch's keys (B x K·L) in one native product; null for knn. */
    private float[] projections(float[] keys, int size) {
        if (planesT == null) {
            return null;
        }
        try (StepScope step = model.newStep()) {
            NDArray h = step.manager().create(keys, new Shape(size, memory.keyDim()));
            return h.matMul(planesT).toFloatArray();
        }
    }

    private Neighbours read(float[] proj, int i, float[] key) {
        if (memory instanceof LshSketch sketch) {
            return sketch.read(sketch.buckets(proj, i * projWidth), key);
        }
        return memory.read(key);
    }

    /** 7.4 filtering: the error must exceed σ (when σ > 0), then random down-sampling. */
    private boolean admitted(float[] y, float[] yBase, long candidate) {
        if (settings.filterThreshold() > 0) {
            double err = 0;
            for (int c = 0; c < y.length; c++) {
                err += Math.abs(y[c] - yBase[c]);
            }
            if (y.length > 1) {
                err /= 2; // total variation distance between the one-hot label and the prediction
            }
            if (!(err > settings.filterThreshold())) {
                return false;
            }
        }
        if (settings.sampleRate() < 1) {
            // Counter-based, so a restored strategy makes the same choices (no RNG state to save).
            double u = (SplitMix64.at(seed, candidate) >>> 11) * 0x1.0p-53;
            return u < settings.sampleRate();
        }
        return true;
    }

    private void refresh() {
        long v = base.modelVersion();
        boolean wentBack = v < anchor; // base reset or restored: stored values belong to another model
        boolean due = settings.resetAfterBaseUpdates() > 0 && v - anchor >= settings.resetAfterBaseUpdates();
        if (wentBack || due) {
            if (memory.size() > 0) {
                memory.clear();
                memoryResets++;
            }
            anchor = v;
        }
    }

    /** The value vector of sample {@code i}: {@code p(class 1)} for a click model, else all classes. */
    private float[] value(float[] probs, int i) {
        if (valueDim == 1) {
            return new float[] {probs[i * classes + 1]};
        }
        float[] p = new float[classes];
        System.arraycopy(probs, i * classes, p, 0, classes);
        return p;
    }

    private record Keys(float[] keys, float[] probs) {}

    /** Keys (B x d) and, when asked, the model's eval-mode probabilities (B x C), on the heap. */
    private Keys keys(InputBatch batch, boolean withProbs) {
        switch (settings.key()) {
            case "input":
                return new Keys(batch.features(), withProbs ? model.predict(batch).probabilities() : null);
            case "output": {
                float[] p = model.predict(batch).probabilities();
                return new Keys(p, p);
            }
            default:
                try (StepScope step = model.newStep()) {
                    NDList r = model.forwardWithFeatures(step.manager(), batch, ForwardMode.EVAL);
                    float[] h = r.get(0).toFloatArray();
                    float[] p = withProbs ? r.get(1).softmax(-1).toFloatArray() : null;
                    return new Keys(h, p);
                }
        }
    }

    @Override
    public long modelVersion() {
        return base.modelVersion();
    }

    /**
     * The base's state ({@code base/...} tensors, {@code base.} scalars), the memory's
     * ({@code memory/...}, {@code memory.}) and ReLoop2's counters ({@code reloop2.}).
     */
    @Override
    public java.util.Optional<io.ctta.runtime.diagnostics.Plasticity.Features> plasticity(InputBatch probe) {
        return owned.plasticity(probe);
    }

    @Override
    public StrategyState snapshot() {
        owned.ensureOpen();
        StrategyState b = base.snapshot();
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        Map<String, Double> scalars = new LinkedHashMap<>();
        StrategyStates.putPrefixed(tensors, BASE_T, b.tensors());
        StrategyStates.putPrefixed(scalars, BASE_S, b.scalars());
        scalars.put("reloop2.base.version", (double) b.modelVersion());
        StrategyStates.putPrefixed(tensors, MEM_T, memory.exportTensors());
        StrategyStates.putPrefixed(scalars, MEM_S, memory.exportScalars());
        scalars.put("reloop2.anchor", (double) anchor);
        scalars.put("reloop2.candidates", (double) candidates);
        scalars.put("reloop2.writes", (double) writes);
        scalars.put("reloop2.filtered", (double) filtered);
        scalars.put("reloop2.resets", (double) memoryResets);
        scalars.put("reloop2.compensated", (double) compensated);
        scalars.put("reloop2.uncompensated", (double) uncompensated);
        return new StrategyState(NAME, b.modelVersion(), tensors, scalars);
    }

    @Override
    public void restore(StrategyState state) {
        owned.ensureOpen();
        StrategyStates.requireStrategy(state, NAME);
        Map<String, Map<String, StrategyState.Tensor>> tensors = StrategyStates.byPrefix(state.tensors(), BASE_T, MEM_T);
        Map<String, Map<String, Double>> scalars = StrategyStates.byPrefix(state.scalars(), BASE_S, MEM_S);
        double baseVersion = state.scalars().getOrDefault("reloop2.base.version", (double) state.modelVersion());
        memory.importState(tensors.get(MEM_T), scalars.get(MEM_S));
        base.restore(new StrategyState(base.name(), (long) baseVersion, tensors.get(BASE_T), scalars.get(BASE_S)));
        anchor = scalar(state, "reloop2.anchor");
        candidates = scalar(state, "reloop2.candidates");
        writes = scalar(state, "reloop2.writes");
        filtered = scalar(state, "reloop2.filtered");
        memoryResets = scalar(state, "reloop2.resets");
        compensated = scalar(state, "reloop2.compensated");
        uncompensated = scalar(state, "reloop2.uncompensated");
    }

    private static long scalar(StrategyState s, String key) {
        Double v = s.scalars().get(key);
        if (v == null) {
            throw new IllegalArgumentException("reloop2 state lacks " + key);
        }
        return v.longValue();
    }

    /** The base's creation state, an empty memory and zero counters. */
    @Override
    public void reset() {
        owned.ensureOpen();
        base.reset();
        memory.clear();
        anchor = base.modelVersion();
        candidates = writes = filtered = memoryResets = compensated = uncompensated = 0;
    }

    @Override
    public void close() {
        owned.close(own, base); // then the model: idempotent, the base should already have closed it
    }
}
