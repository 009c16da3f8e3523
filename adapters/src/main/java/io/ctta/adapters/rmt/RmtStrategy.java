package io.ctta.adapters.rmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.ctta.adapters.support.GradientGuard;
import io.ctta.adapters.support.OwnedModel;
import io.ctta.adapters.support.ParameterLists;
import io.ctta.adapters.support.StrategyStates;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.adapt.GraphScalars;
import io.ctta.runtime.adapt.Objectives;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ModelRequirements;
import io.ctta.runtime.model.ParameterSelector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RMT, Robust Mean Teacher (Döbler, Marsden, Yang, CVPR 2023; docs/strategies/rmt.md): a student trained
 * on every test batch and an EMA teacher, with symmetric cross-entropy between them, a contrastive
 * loss that pulls test features towards source class prototypes through a projector, optionally
 * replayed labelled source batches, and a warm-up on source images before the stream.
 *
 * <p>Per batch of B ≥ 2 samples (BatchNorm always normalises with batch statistics; docs/strategies/rmt.md):
 * student features and logits of the test batch and of its augmentation
 * ({@link CottaAugmentation}), teacher logits of the test batch, nearest source prototype of each
 * test feature by cosine similarity, the contrastive loss over {@code [prototype, feature,
 * augmented feature]} through the projector, the self-training loss, the source cross-entropy on
 * the next source batch (with-source variant), one backward pass inside the {@link GradientGate},
 * one optimizer step on the student and the projector, then the EMA update of the teacher. The
 * published probabilities are {@code softmax(z_s + z_t)} of the test batch, computed before the
 * update.
 *
 * <p>Set-up (in {@link #create}): source prototypes from the unadapted model, then the warm-up;
 * both are cached under {@code strategies.rmt.cache-dir} when it is set. A non-finite loss or
 * gradient returns {@link StepOutcome.Kind#DIVERGED} with everything unchanged; a batch of one
 * sample is predicted in eval mode and skipped.
 *
 * <p>The strategy owns the student (the model it was given), the teacher (a copy), the projector,
 * both optimizers and the prototypes (heap); {@link #close()} frees them all.
 */
public final class RmtStrategy implements AdaptationStrategy {

    /** The registered name. */
    public static final String NAME = "rmt";

    private static final Logger LOG = LoggerFactory.getLogger(RmtStrategy.class);

    private static final String STUDENT = "student/";
    private static final String TEACHER = "teacher/";
    private static final String PROJECTOR = "projector/";
    private static final String OPT_STUDENT = "opt/student/";
    private static final String OPT_PROJECTOR = "opt/projector/";
    private static final String PROTOTYPES = "prototypes";
    private static final String PROTOTYPES_PRESENT = "prototypes.present";
    private static final String STEPS_STUDENT = "optimizer.student.steps";
    private static final String STEPS_PROJECTOR = "optimizer.projector.steps";
    private static final String AUGMENT_STEP = "augment.step";
    private static final String SOURCE_EPOCH = "source.epoch";
    private static final String SOURCE_POSITION = "source.position";

    /**
     * How the set-up was obtained.
     *
     * @param origin {@code computed} (from source data), {@code cache} (read from the cache file) or
     *     {@code none} (nothing needed: source-free without prototypes)
     * @param warmupSteps warm-up steps the state reflects
     * @param cacheFile the cache file used or written, or null
     * @param seconds wall time of the set-up
     */
    public record Setup(String origin, int warmupSteps, Path cacheFile, double seconds) {}

    /**
     * The loss parts of the last adaptation step and the fraction of test samples on which student
     * and teacher agree (a collapse indicator worth publishing; docs/strategies/rmt.md, "Failure modes").
     */
    public record Diagnostics(double selfTraining, double contrastive, double source, double agreement) {
        static final Diagnostics NONE = new Diagnostics(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private final AdaptiveModel student;
    private final OwnedModel owned;
    private final AdaptiveModel teacher;
    private final RmtSettings settings;
    private final GradientGate gate;
    private final long seed;
    private final SourceData source;
    private final SourceSampler sampler;
    private final List<String> names;
    private final List<Parameter> studentParams;
    private final List<NDArray> teacherArrays;
    private final Projector projector;
    private final ParameterOptimizer studentOptimizer;
    private final ParameterOptimizer projectorOptimizer;
    private final int numClasses;
    private final int featureDim;
    private float[] prototypes;
    private boolean[] present;
    private long version;
    private long augmentStep;
    private Setup setup;
    private StrategyState initial;
    private Diagnostics last = Diagnostics.NONE;
    private double studentEntropy = Double.NaN;

    /**
     * Builds the strategy, computes or loads the source prototypes and the warm-up, and takes
     * ownership of {@code model} (closed by {@link #close()}). If this throws, everything it
     * created is freed and {@code model} stays the caller's.
     *
     * @param source labelled source samples, or null when the deployment has none
     * @throws IllegalArgumentException when the model exposes no features (a TorchScript module
     *     without features/classify), its BatchNorm ignores training mode, the source
     *     data does not fit the model, or the configured variant needs source data that is neither
     *     given nor cached; the message names the key to change
     * @throws IllegalStateException when the warm-up diverges
     * @throws UncheckedIOException when the cache directory cannot be written or holds a corrupt file
     */
    public static RmtStrategy create(AdaptiveModel model, RmtSettings settings, long seed, SourceData source,
            GradientGate gate) {
        checkModelAndSource(model, settings, source);
        RmtStrategy s = new RmtStrategy(model, settings, seed, source, gate);
        try {
            s.setUp();
            return s;
        } catch (RuntimeException e) {
            try {
                s.closeOwned();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private RmtStrategy(AdaptiveModel model, RmtSettings settings, long seed, SourceData source, GradientGate gate) {
        this.student = model;
        this.owned = new OwnedModel(NAME, model);
        this.settings = settings;
        this.gate = gate;
        this.seed = seed;
        this.source = source;
        this.numClasses = model.spec().numClasses();
        this.featureDim = featureDim(model);
        // Every parameter except buffers (BN running statistics are never used: batch statistics).
        ParameterSelector trainable = model.learnable();
        model.trainOnly(trainable);
        this.names = List.copyOf(model.parameterNames(trainable));
        this.studentParams = List.copyOf(model.parameters(trainable));
        AdaptiveModel t = null;
        Projector p = null;
        ParameterOptimizer so = null;
        ParameterOptimizer po = null;
        try {
            t = model.copy();
            t.setTrainable(ParameterSelector.all(), false);
            List<NDArray> ta = new ArrayList<>();
            for (String n : names) {
                ta.add(t.namedParameters().get(n).getArray());
            }
            so = optimizer(model.manager(), ParameterLists.shapes(names, studentParams));
            if (settings.usesPrototypes()) {
                p = new Projector(model.manager(), featureDim, settings.projectionDim(), Seeds.mix(seed, Seeds.PROJECTOR));
                po = optimizer(model.manager(), p.shapes());
            }
            this.teacher = t;
            this.teacherArrays = List.copyOf(ta);
            this.projector = p;
            this.studentOptimizer = so;
            this.projectorOptimizer = po;
        } catch (RuntimeException e) {
            try {
                OwnedModel.closeAll(po, p, so, t);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.sampler = source == null ? null : new SourceSampler(source.size(), Seeds.mix(seed, Seeds.WARMUP_SOURCE));
        this.prototypes = new float[numClasses * featureDim];
        this.present = new boolean[numClasses];
    }

    /** The width of the model's features, read off a probe batch (any model with an encoder/head split). */
    private static int featureDim(AdaptiveModel model) {
        int[] shape = model.spec().inputShape();
        InputBatch probe = new InputBatch(2, shape, new float[2 * InputBatch.sampleLength(shape)]);
        try (StepScope step = model.newStep()) {
            return Math.toIntExact(model.forwardWithFeatures(step.manager(), probe, ForwardMode.EVAL).get(0).getShape()
                    .get(1));
        }
    }

    private ParameterOptimizer optimizer(NDManager parent, Map<String, Shape> shapes) {
        return settings.optimizerSettings().create(parent, shapes);
    }

    private static void checkModelAndSource(AdaptiveModel model, RmtSettings settings, SourceData source) {
        String p = RmtSettings.PREFIX;
        ModelRequirements.refuseFrozenBatchNorm(model, NAME);
        try {
            featureDim(model);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("rmt pulls the model's features towards source prototypes and needs its"
                    + " encoder/head split, which model " + model.spec().version() + " does not expose: " + e.getMessage(), e);
        }
        if (settings.sourceReplay() && source == null) {
            throw new IllegalArgumentException(p + ".source-replay = true (the with-source variant, the default)"
                    + " replays labelled source batches, but this deployment provides no source data; provide source"
                    + " data or set " + p + ".source-replay = false (the source-free variant)");
        }
        if (source == null) {
            return;
        }
        if (!Arrays.equals(source.sampleShape(), model.spec().inputShape())) {
            throw new IllegalArgumentException("source samples have shape " + Arrays.toString(source.sampleShape())
                    + " but the model expects " + Arrays.toString(model.spec().inputShape()));
        }
        if (source.size() < 2) {
            throw new IllegalArgumentException("rmt needs at least 2 source samples (batch statistics), got "
                    + source.size());
        }
        for (int y : source.labels()) {
            if (y < 0 || y >= model.spec().numClasses()) {
                throw new IllegalArgumentException("source label " + y + " is outside 0.."
                        + (model.spec().numClasses() - 1));
            }
        }
    }

    /** Prototypes and warm-up: from the cache, or computed from source data (and cached). */
    private void setUp() {
        long started = System.nanoTime();
        boolean needsSource = settings.usesPrototypes() || settings.warmupSteps() > 0;
        Path cacheFile = null;
        String identity = null;
        Long sourceFingerprint = null;
        if (needsSource && !settings.cacheDir().isEmpty()) {
            sourceFingerprint = source == null ? null : WarmupCache.fingerprint(source);
            identity = WarmupCache.identity(student.spec().version(),
                    WarmupCache.fingerprint(student.snapshotParameters(ParameterSelector.all())), seed, settings);
            cacheFile = WarmupCache.file(Path.of(settings.cacheDir()), identity);
            Optional<StrategyState> cached;
            try {
                cached = WarmupCache.load(cacheFile, identity, sourceFingerprint);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the rmt warm-up cache " + cacheFile
                        + "; delete it to recompute (" + RmtSettings.PREFIX + ".cache-dir)", e);
            }
            if (cached.isPresent()) {
                restore(cached.get());
                finishSetUp(new Setup("cache", settings.warmupSteps(), cacheFile, seconds(started)));
                return;
            }
        }
        if (!needsSource) {
            finishSetUp(new Setup("none", 0, null, seconds(started)));
            return;
        }
        if (source == null) {
            String p = RmtSettings.PREFIX;
            String why = settings.usesPrototypes()
                    ? "source class prototypes (" + p + ".lambda-cont = " + settings.lambdaCont() + " > 0)"
                    : "a warm-up on source images (" + p + ".warmup-samples = " + settings.warmupSamples() + ")";
            String where = cacheFile == null ? p + ".cache-dir is not set"
                    : p + ".cache-dir holds no set-up for this model, seed and settings (looked for " + cacheFile + ")";
            throw new IllegalArgumentException("rmt needs " + why + ", but this deployment provides no source data and "
                    + where + "; run once with source data and " + p + ".cache-dir set, then ship that directory"
                    + (settings.usesPrototypes() ? ", or set " + p + ".lambda-cont = 0" : ", or set " + p
                            + ".warmup-samples = 0"));
        }
        if (settings.usesPrototypes()) {
            computePrototypes();
        }
        warmUp();
        Setup done = new Setup("computed", settings.warmupSteps(), cacheFile, seconds(started));
        finishSetUp(done);
        if (cacheFile != null) {
            try {
                WarmupCache.save(cacheFile, identity, sourceFingerprint, initial);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the rmt warm-up cache " + cacheFile + " ("
                        + RmtSettings.PREFIX + ".cache-dir)", e);
            }
        }
    }

    private void finishSetUp(Setup s) {
        version = 0;
        augmentStep = 0;
        initial = snapshot();
        setup = s;
        LOG.info("rmt set-up {}: {} warm-up steps in {} s{}", s.origin(), s.warmupSteps(),
                String.format("%.2f", s.seconds()), s.cacheFile() == null ? "" : " (cache " + s.cacheFile() + ")");
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * Class-mean penultimate features of the unadapted model over up to {@code prototype-samples}
     * source samples in a seeded order, in batches of {@code source-batch-size} with batch
     * statistics (as the reference). Classes without samples are never chosen as nearest.
     */
    private void computePrototypes() {
        SourceSampler order = new SourceSampler(source.size(), Seeds.mix(seed, Seeds.PROTOTYPES));
        int total = Math.min(settings.prototypeSamples(), source.size());
        double[] sums = new double[numClasses * featureDim];
        int[] counts = new int[numClasses];
        for (int done = 0; done < total; ) {
            int b = Math.min(settings.sourceBatchSize(), total - done);
            if (b < 2) {
                break; // batch statistics of one sample are degenerate
            }
            int[] labels = new int[b];
            InputBatch batch = source.batch(order.next(b), labels);
            float[] f;
            try (StepScope step = student.newStep()) {
                f = student.forwardWithFeatures(step.manager(), batch, ForwardMode.BATCH_STATS).get(0).toFloatArray();
            }
            for (int i = 0; i < b; i++) {
                counts[labels[i]]++;
                for (int k = 0; k < featureDim; k++) {
                    sums[labels[i] * featureDim + k] += f[i * featureDim + k];
                }
            }
            done += b;
        }
        for (int c = 0; c < numClasses; c++) {
            present[c] = counts[c] > 0;
            for (int k = 0; k < featureDim; k++) {
                prototypes[c * featureDim + k] = present[c] ? (float) (sums[c * featureDim + k] / counts[c]) : 0f;
            }
        }
    }

    /**
     * The reference code's warm-up ({@code mariodoebler/test-time-adaptation}, {@code methods/rmt.py}): {@code ⌊warmup-samples / source-batch-size⌋} steps on
     * source images only, loss {@code mean SCE(f_s(x), f_t(x))}, learning rate ramped linearly from
     * {@code lr/steps} to {@code lr}, EMA after each step. The projector gets no gradient here.
     */
    private void warmUp() {
        int steps = settings.warmupSteps();
        for (int i = 0; i < steps; i++) {
            float scale = (i + 1) / (float) steps;
            int[] labels = new int[settings.sourceBatchSize()];
            InputBatch batch = source.batch(sampler.next(settings.sourceBatchSize()), labels);
            try (StepScope step = student.newStep()) {
                NDArray zt = teacher.forward(step.manager(), batch, ForwardMode.BATCH_STATS).head();
                float loss;
                try (GradientGate.Session session = gate.open()) {
                    NDArray zs = student.forward(step.manager(), batch, ForwardMode.BATCH_STATS).head();
                    NDArray l = RmtLosses.symmetricCrossEntropy(zs, zt, RmtLosses.SCE_ALPHA).mean();
                    loss = l.getFloat();
                    if (Float.isFinite(loss)) {
                        session.backward(l);
                    }
                }
                List<NDArray> grads = Gradients.of(studentParams);
                double mass = Float.isFinite(loss) ? Gradients.absSum(grads) : Double.NaN;
                if (!Double.isFinite(mass)) {
                    Gradients.zero(grads);
                    throw new IllegalStateException("rmt warm-up diverged at step " + (i + 1) + " of " + steps
                            + " (loss " + loss + "); lower " + RmtSettings.PREFIX + ".lr or check the source data");
                }
                if (mass > 0) {
                    stepScaled(studentOptimizer, names, weights(), grads, scale, step.manager());
                    RmtLosses.emaUpdate(teacherArrays, weights(), (float) settings.emaMomentum());
                }
                Gradients.zero(grads);
            }
        }
    }

    /**
     * One optimizer step with the learning rate multiplied by {@code scale}: the optimizer writes
     * its update into zero buffers, which are then applied scaled. Exact for Adam and SGD (their
     * update does not depend on the weight), and it leaves the shared optimizer classes untouched.
     */
    static void stepScaled(ParameterOptimizer optimizer, List<String> names, List<NDArray> weights,
            List<NDArray> grads, float scale, NDManager scope) {
        if (scale == 1f) {
            optimizer.step(names, weights, grads);
            return;
        }
        List<NDArray> deltas = new ArrayList<>(weights.size());
        for (NDArray w : weights) {
            deltas.add(scope.zeros(w.getShape()));
        }
        optimizer.step(names, deltas, grads);
        for (int i = 0; i < weights.size(); i++) {
            weights.get(i).addi(deltas.get(i).mul(scale));
        }
    }

    private List<NDArray> weights() {
        return ParameterLists.arrays(studentParams);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The student's mean entropy on the last batch: the published student+teacher ensemble
     * ({@code softmax(z_s + z_t)}) is sharper than either model, so judging collapse on it resets a
     * healthy RMT (0.07-0.2 nats on 10 classes); NaN (no judgement) for eval-mode batches of one.
     */
    @Override
    public double collapseEntropy(ModelOutput out) {
        return studentEntropy;
    }

    @Override
    public ModelOutput predict(InputBatch batch) {
        owned.ensureOpen();
        if (batch.size() < 2) {
            studentEntropy = Double.NaN;
            try (StepScope step = student.newStep()) {
                NDArray zs = student.forward(step.manager(), batch, ForwardMode.EVAL).head();
                NDArray zt = teacher.forward(step.manager(), batch, ForwardMode.EVAL).head();
                return AdaptiveModel.toOutput(zs.add(zt), version, StepOutcome.skipped(Double.NaN,
                        "batch of 1: eval-mode prediction"));
            }
        }
        long producedBy = version;
        int b = batch.size();
        InputBatch augmented = CottaAugmentation.apply(batch, student.spec().preprocessing().scale(),
                new SplittableRandom(Seeds.mix(Seeds.mix(seed, Seeds.AUGMENT), augmentStep++)));
        InputBatch replay = null;
        NDArray replayLabels = null;
        int[] labels = new int[b];
        if (settings.lambdaSrc() > 0) {
            replay = source.batch(sampler.next(b), labels);
        }
        try (StepScope step = student.newStep()) {
            NDManager sm = step.manager();
            NDArray zt = teacher.forward(sm, batch, ForwardMode.BATCH_STATS).head();
            if (replay != null) {
                replayLabels = sm.create(labels);
            }
            float loss;
            double lossSt;
            double lossCl = 0;
            double lossSrc = 0;
            NDArray zs;
            try (GradientGate.Session session = gate.open()) {
                NDList test = student.forwardWithFeatures(sm, batch, ForwardMode.BATCH_STATS);
                NDList aug = student.forwardWithFeatures(sm, augmented, ForwardMode.BATCH_STATS);
                zs = test.get(1);
                NDArray st = RmtLosses.selfTraining(zs, aug.get(1), zt);
                NDArray total = GraphScalars.mul(st, settings.lambdaSt());
                lossSt = st.getFloat();
                if (settings.usesPrototypes()) {
                    NDArray u = test.get(0);
                    NDArray nearest = sm.create(nearestPrototypes(u.stopGradient().toFloatArray(), b),
                            new Shape(b, featureDim));
                    NDArray views = NDArrays.concat(new NDList(nearest, u, aug.get(0)), 0);
                    NDArray cl = RmtLosses.contrastive(RmtLosses.l2Normalize(projector.forward(views)), b,
                            (float) settings.temperature());
                    lossCl = cl.getFloat();
                    total = total.add(GraphScalars.mul(cl, settings.lambdaCont()));
                }
                if (replay != null) {
                    NDArray ce = Objectives.softmaxCrossEntropy(student.forward(sm, replay, ForwardMode.BATCH_STATS)
                            .head(), replayLabels);
                    lossSrc = ce.getFloat();
                    total = total.add(GraphScalars.mul(ce, settings.lambdaSrc()));
                }
                loss = total.getFloat();
                if (Float.isFinite(loss)) {
                    session.backward(total);
                }
            }
            ModelOutput out = AdaptiveModel.toOutput(zs.add(zt), producedBy, StepOutcome.none());
            last = new Diagnostics(lossSt, lossCl, lossSrc, agreement(zs, zt));
            studentEntropy = Objectives.meanEntropy(zs.stopGradient()).getFloat();
            if (!Float.isFinite(loss)) {
                return out.withStep(StepOutcome.diverged(loss, "non-finite loss; parameters unchanged"));
            }
            List<NDArray> grads = Gradients.of(studentParams);
            List<NDArray> projectorGrads = new ArrayList<>();
            if (projector != null) {
                for (NDArray w : projector.weights()) {
                    projectorGrads.add(w.getGradient());
                }
            }
            StepOutcome rejected = GradientGuard.reject(loss, "", grads, projectorGrads);
            if (rejected != null) {
                return out.withStep(rejected);
            }
            studentOptimizer.step(names, weights(), grads);
            if (projector != null) {
                projectorOptimizer.step(Projector.NAMES, projector.weights(), projectorGrads);
            }
            Gradients.zero(grads);
            Gradients.zero(projectorGrads);
            RmtLosses.emaUpdate(teacherArrays, weights(), (float) settings.emaMomentum());
            version++;
            return out.withStep(StepOutcome.applied(loss));
        }
    }

    /** For each feature row, the prototype with the largest cosine similarity (heap, no gradient). */
    private float[] nearestPrototypes(float[] features, int b) {
        float[] out = new float[b * featureDim];
        double[] protoNorm = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            double s = 0;
            for (int k = 0; k < featureDim; k++) {
                s += (double) prototypes[c * featureDim + k] * prototypes[c * featureDim + k];
            }
            protoNorm[c] = Math.sqrt(s);
        }
        for (int i = 0; i < b; i++) {
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            double un = 0;
            for (int k = 0; k < featureDim; k++) {
                un += (double) features[i * featureDim + k] * features[i * featureDim + k];
            }
            un = Math.sqrt(un);
            for (int c = 0; c < numClasses; c++) {
                if (!present[c]) {
                    continue;
                }
                double dot = 0;
                for (int k = 0; k < featureDim; k++) {
                    dot += (double) prototypes[c * featureDim + k] * features[i * featureDim + k];
                }
                // PyTorch cosine_similarity: x·y / max(‖x‖·‖y‖, 1e-8)
                double sim = dot / Math.max(protoNorm[c] * un, 1e-8);
                if (sim > bestSim) {
                    bestSim = sim;
                    best = c;
                }
            }
            if (best < 0) {
                // Non-finite features (a corrupt input): any prototype will do, the loss is non-finite
                // anyway and the step is reported as diverged.
                best = firstPresent();
            }
            System.arraycopy(prototypes, best * featureDim, out, i * featureDim, featureDim);
        }
        return out;
    }

    private int firstPresent() {
        for (int c = 0; c < numClasses; c++) {
            if (present[c]) {
                return c;
            }
        }
        throw new IllegalStateException("rmt has no source prototype of any class");
    }

    private static double agreement(NDArray zs, NDArray zt) {
        int[] a = zs.stopGradient().argMax(1).toType(DataType.INT32, false).toIntArray();
        int[] t = zt.argMax(1).toType(DataType.INT32, false).toIntArray();
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == t[i] ? 1 : 0;
        }
        return same / (double) a.length;
    }

    @Override
    public long modelVersion() {
        return version;
    }

    /** How the prototypes and warm-up were obtained at creation. */
    public Setup setup() {
        return setup;
    }

    /** Loss parts and student-teacher agreement of the last batch of two or more samples. */
    public Diagnostics lastStep() {
        return last;
    }

    /** Open NDArrays of student and teacher together (projector and optimizers live under the student). */
    public long liveArrayCount() {
        owned.ensureOpen();
        return student.liveArrayCount() + teacher.liveArrayCount();
    }

    /** Plasticity diagnostics of the student (the served model). */
    @Override
    public java.util.Optional<io.ctta.runtime.diagnostics.Plasticity.Features> plasticity(InputBatch probe) {
        return owned.plasticity(probe);
    }

    /**
     * Everything that determines the next predictions and updates: student and teacher parameters
     * ({@code student/<name>}, {@code teacher/<name>}; BN running statistics excluded, they never
     * change), projector ({@code projector/w1,b1,w2,b2}), optimizer moments
     * ({@code opt/student/...}, {@code opt/projector/...}), prototypes ({@code prototypes} C x d and
     * {@code prototypes.present} C), and the scalars {@code optimizer.student.steps},
     * {@code optimizer.projector.steps}, {@code augment.step}, {@code source.epoch},
     * {@code source.position}.
     */
    @Override
    public StrategyState snapshot() {
        owned.ensureOpen();
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        StrategyStates.putPrefixed(tensors, STUDENT, student.snapshotParameters(student.learnable()));
        StrategyStates.putPrefixed(tensors, TEACHER, teacher.snapshotParameters(teacher.learnable()));
        StrategyStates.putPrefixed(tensors, OPT_STUDENT, studentOptimizer.exportState());
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put(STEPS_STUDENT, (double) studentOptimizer.stepCount());
        if (projector != null) {
            StrategyStates.putPrefixed(tensors, PROJECTOR, projector.export());
            StrategyStates.putPrefixed(tensors, OPT_PROJECTOR, projectorOptimizer.exportState());
            scalars.put(STEPS_PROJECTOR, (double) projectorOptimizer.stepCount());
            tensors.put(PROTOTYPES, new StrategyState.Tensor(new long[] {numClasses, featureDim}, prototypes));
            float[] p = new float[numClasses];
            for (int c = 0; c < numClasses; c++) {
                p[c] = present[c] ? 1f : 0f;
            }
            tensors.put(PROTOTYPES_PRESENT, new StrategyState.Tensor(new long[] {numClasses}, p));
        }
        scalars.put(AUGMENT_STEP, (double) augmentStep);
        if (sampler != null) {
            scalars.put(SOURCE_EPOCH, (double) sampler.epoch());
            scalars.put(SOURCE_POSITION, (double) sampler.position());
        }
        return new StrategyState(NAME, version, tensors, scalars);
    }

    @Override
    public void restore(StrategyState state) {
        owned.ensureOpen();
        StrategyStates.requireStrategy(state, NAME);
        // No prefix starts another, so each tensor belongs to at most one part.
        Map<String, Map<String, StrategyState.Tensor>> parts = StrategyStates.byPrefix(state.tensors(), STUDENT, TEACHER,
                PROJECTOR, OPT_STUDENT, OPT_PROJECTOR);
        if (!parts.get(STUDENT).keySet().containsAll(names) || !parts.get(TEACHER).keySet().containsAll(names)) {
            throw new IllegalArgumentException("rmt state lacks student or teacher parameters; expected " + names);
        }
        StrategyState.Tensor protos = state.tensors().get(PROTOTYPES);
        StrategyState.Tensor flags = state.tensors().get(PROTOTYPES_PRESENT);
        if (projector != null) {
            if (protos == null || flags == null || protos.data().length != prototypes.length
                    || flags.data().length != numClasses) {
                throw new IllegalArgumentException("rmt state lacks prototypes of shape " + numClasses + " x "
                        + featureDim + " (was it taken with " + RmtSettings.PREFIX + ".lambda-cont = 0?)");
            }
        }
        Double augment = state.scalars().get(AUGMENT_STEP);
        Double steps = state.scalars().get(STEPS_STUDENT);
        if (augment == null || steps == null) {
            throw new IllegalArgumentException("rmt state lacks the scalars " + AUGMENT_STEP + " and " + STEPS_STUDENT);
        }
        if (sampler != null) {
            Double epoch = state.scalars().get(SOURCE_EPOCH);
            Double position = state.scalars().get(SOURCE_POSITION);
            if (epoch != null && position != null) {
                sampler.seek(epoch.longValue(), position.intValue());
            }
        }
        student.restoreParameters(parts.get(STUDENT));
        teacher.restoreParameters(parts.get(TEACHER));
        studentOptimizer.importState(parts.get(OPT_STUDENT), steps.longValue());
        if (projector != null) {
            try (StepScope step = student.newStep()) {
                projector.load(parts.get(PROJECTOR), step);
            }
            projectorOptimizer.importState(parts.get(OPT_PROJECTOR), StrategyStates.countOrZero(state, STEPS_PROJECTOR));
            prototypes = protos.data();
            float[] f = flags.data();
            for (int c = 0; c < numClasses; c++) {
                present[c] = f[c] != 0f;
            }
        }
        augmentStep = augment.longValue();
        version = state.modelVersion();
    }

    /**
     * Back to the state right after creation (after prototypes and warm-up, as the reference's
     * reset): student, teacher, projector, optimizers, source position, version 0.
     */
    @Override
    public void reset() {
        owned.ensureOpen();
        restore(initial);
        last = Diagnostics.NONE;
    }

    @Override
    public void close() {
        owned.close(created());
    }

    /** Frees what this strategy created (not the student model). */
    private void closeOwned() {
        OwnedModel.closeAll(created());
    }

    /** What this strategy created, in closing order (nulls for what it does not use). */
    private AutoCloseable[] created() {
        return new AutoCloseable[] {projectorOptimizer, projector, studentOptimizer, teacher};
    }
}
