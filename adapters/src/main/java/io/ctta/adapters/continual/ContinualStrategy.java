package io.ctta.adapters.continual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.ctta.adapters.support.GradientGuard;
import io.ctta.adapters.support.OwnedModel;
import io.ctta.adapters.support.ParameterLists;
import io.ctta.adapters.support.StrategyStates;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.FusedMlpStep;
import io.ctta.runtime.adapt.LibtorchKernels;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.adapt.Objectives;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.FusedUpdate;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.adapt.optim.Upgd;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.PrequentialStep;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ParameterSelector;
import io.ctta.runtime.util.SplitMix64;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A supervised continual learner (docs/strategies/sgd-adam.md, upgd.md, spectral.md): {@code predict} only predicts (eval
 * mode, running BN statistics); {@code learn} makes one gradient step of the batch-mean
 * cross-entropy (plus the optional {@link Regularizer}) on every parameter, with the configured
 * optimizer (SGDW, AdamW or UPGD). Used prequentially: predict, score, then learn when the labels
 * arrive (possibly later, with other batches predicted in between).
 *
 * <p>BatchNorm while learning follows {@link LearnerSettings.BatchNormPolicy}: by default batches
 * of at least {@code batch-norm-min-batch} samples use batch statistics and update the running
 * statistics (train mode); smaller ones use and keep the running statistics (eval mode), so that
 * UPGD's one-sample steps never normalise a batch of one.
 *
 * <p>Outcomes: a non-finite loss or gradient returns {@link StepOutcome.Kind#DIVERGED} and leaves
 * every parameter, running statistic and optimizer state as it was; an all-zero gradient or a
 * label outside {@code [0, C)} returns SKIPPED; otherwise APPLIED with the loss (cross-entropy
 * plus {@code ρ·R}) of the forward pass before the step. The model version counts applied steps.
 */
public final class ContinualStrategy implements AdaptationStrategy {

    private static final String PARAM = "param/";
    private static final String OPT = "opt/";
    private static final String REG = "reg/";
    /** What {@link #learn} carries its outcome in: no prediction. */
    private static final ModelOutput NO_OUTPUT = new ModelOutput(0, 0, new float[0], 0, StepOutcome.none());

    private final String name;
    private final OwnedModel owned;
    private final AdaptiveModel model;
    private final OptimizerSettings optimizerSettings;
    private final LearnerSettings settings;
    private final GradientGate gate;
    private final List<String> names;
    private final List<Parameter> params;
    private final List<Parameter> running;
    private final Map<String, StrategyState.Tensor> initial;
    private final ParameterOptimizer optimizer;
    private final Regularizer regularizer;
    /** The whole step in one native call, for a built-in MLP without regularizer; else null. */
    private final FusedMlpStep fused;
    private long version;

    /**
     * Takes ownership of {@code model} and makes every float parameter except BN running
     * statistics trainable.
     *
     * @param name the registered name ({@code sgd}, {@code upgd+spectral}, ...)
     * @param seed seeds the optimizer's noise and the regularizer's initial vectors
     */
    public ContinualStrategy(String name, AdaptiveModel model, OptimizerSettings optimizer, LearnerSettings settings,
            GradientGate gate, long seed) {
        this(name, model, optimizer, settings, gate, seed, true);
    }

    /**
     * As above; {@code fuseSteps = false} keeps every step on the generic path (DJL forward,
     * autograd, the optimizer's own update) even where {@link FusedMlpStep} applies, which tests
     * and benchmarks compare against.
     */
    public ContinualStrategy(String name, AdaptiveModel model, OptimizerSettings optimizer, LearnerSettings settings,
            GradientGate gate, long seed, boolean fuseSteps) {
        this.name = Objects.requireNonNull(name, "name");
        this.model = Objects.requireNonNull(model, "model");
        this.owned = new OwnedModel(name, model);
        this.optimizerSettings = Objects.requireNonNull(optimizer, "optimizer");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.gate = Objects.requireNonNull(gate, "gate");
        ParameterSelector learnable = model.learnable();
        ParameterSelector trainable = (n, p) -> learnable.test(n, p) && p.getArray().getDataType() == DataType.FLOAT32;
        this.names = List.copyOf(model.parameterNames(trainable));
        if (names.isEmpty()) {
            throw new IllegalArgumentException(name + " needs trainable float parameters, but model "
                    + model.spec().version() + " has none");
        }
        model.trainOnly(trainable);
        this.params = List.copyOf(model.parameters(trainable));
        this.running = List.copyOf(model.parameters(ParameterSelector::isRunningStatistic));
        this.initial = model.snapshotParameters(ParameterSelector.all());
        Map<String, Shape> shapes = ParameterLists.shapes(names, params);
        long optimizerSeed = SplitMix64.at(seed, 1);
        long regularizerSeed = SplitMix64.at(seed, 2);
        ParameterOptimizer opt = optimizer.create(model.manager(), shapes, optimizerSeed);
        try {
            this.regularizer = switch (settings.regularizer()) {
                case NONE -> null;
                case SPECTRAL -> {
                    List<SpectralRegularizer.Role> roles = new ArrayList<>();
                    for (int i = 0; i < names.size(); i++) {
                        roles.add(SpectralRegularizer.Role.of(names.get(i), params.get(i)));
                    }
                    yield new SpectralRegularizer(model.manager(), names, new ArrayList<>(shapes.values()), roles,
                            settings.spectral(), regularizerSeed);
                }
                case WASSERSTEIN -> {
                    List<float[]> values = new ArrayList<>();
                    for (String n : names) {
                        values.add(initial.get(n).data());
                    }
                    yield new WassersteinRegularizer(model.manager(), names, values, settings.wasserstein());
                }
            };
        } catch (RuntimeException e) {
            opt.close();
            throw e;
        }
        this.optimizer = opt;
        this.fused = fuseSteps && regularizer == null ? FusedMlpStep.of(model, params).orElse(null) : null;
    }

    /** Whether learning steps run as one fused native call ({@link FusedMlpStep}). */
    public boolean fusedSteps() {
        return fused != null;
    }

    @Override
    public String name() {
        return name;
    }

    /** The optimizer settings. */
    public OptimizerSettings optimizerSettings() {
        return optimizerSettings;
    }

    /** The learner settings (BatchNorm policy, regularizer). */
    public LearnerSettings settings() {
        return settings;
    }

    /** Eval-mode prediction with the current parameters; never changes anything. */
    @Override
    public ModelOutput predict(InputBatch batch) {
        owned.ensureOpen();
        try (StepScope step = model.newStep()) {
            NDArray logits = model.forward(step.manager(), batch, ForwardMode.EVAL).head();
            return AdaptiveModel.toOutput(logits, version, StepOutcome.none());
        }
    }

    /**
     * One optimizer step on the labelled batch.
     *
     * @throws IllegalArgumentException when {@code labels.length != batch.size()}
     */
    @Override
    public StepOutcome learn(InputBatch batch, int[] labels) {
        return step(batch, labels, false).step();
    }

    /**
     * {@code predict} then {@code learn} (and so {@code predictAndLearn}) from one forward pass when
     * the learning step runs in eval mode (batches under {@code batch-norm-min-batch}, every batch
     * of a model without BatchNorm):
     * that forward computes exactly the logits {@code predict} would, with the weights before the
     * update, so they are both the published prediction and the loss's input. In train mode the
     * two forwards differ (batch statistics), and both run.
     */
    @Override
    public PrequentialStep prequentialStep(InputBatch batch, int[] labels) {
        owned.ensureOpen();
        // An MLP computes the same function in train and eval mode (no BatchNorm, no dropout).
        if (settings.trainMode(batch.size()) && fused == null) {
            return AdaptationStrategy.super.prequentialStep(batch, labels);
        }
        ModelOutput out = step(batch, labels, true);
        // predict's own outcome is none: it only predicts.
        return new PrequentialStep(out.withStep(StepOutcome.none()), out.step());
    }

    /**
     * The learning step; with {@code publish}, also the eval-mode prediction of its forward pass
     * (the model version before the update), else an output with no probabilities.
     */
    private ModelOutput step(InputBatch batch, int[] labels, boolean publish) {
        owned.ensureOpen();
        if (labels.length != batch.size()) {
            throw new IllegalArgumentException(labels.length + " labels for a batch of " + batch.size());
        }
        int classes = model.spec().numClasses();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                StepOutcome skipped = StepOutcome.skipped(Double.NaN, "label " + labels[i] + " of sample " + i
                        + " is outside [0, " + classes + ")");
                return publish ? predict(batch).withStep(skipped) : NO_OUTPUT.withStep(skipped);
            }
        }
        if (fused != null) {
            try (StepScope step = model.newStep()) {
                Optional<FusedUpdate> update = optimizer.fusedUpdate(names, step.manager());
                if (update.isPresent()) {
                    return fusedStep(step, batch, labels, update.get(), publish);
                }
            }
        }
        ForwardMode mode = settings.trainMode(batch.size()) ? ForwardMode.TRAIN : ForwardMode.EVAL;
        try (StepScope step = model.newStep()) {
            // Train mode updates the running statistics during the forward: keep copies to undo a bad step.
            List<NDArray> backup = new ArrayList<>();
            if (mode == ForwardMode.TRAIN) {
                for (Parameter p : running) {
                    NDArray copy = p.getArray().duplicate();
                    copy.attach(step.manager());
                    backup.add(copy);
                }
            }
            float loss;
            NDArray logits;
            List<NDArray> weights = ParameterLists.arrays(params);
            try (GradientGate.Session session = gate.open()) {
                logits = model.forward(step.manager(), batch, mode).head();
                NDArray objective = Objectives.softmaxCrossEntropy(logits, step.manager().create(labels));
                if (regularizer != null) {
                    NDArray penalty = regularizer.penalty(weights);
                    if (penalty != null) {
                        objective = objective.add(penalty);
                    }
                }
                loss = objective.getFloat();
                if (Float.isFinite(loss)) {
                    session.backward(objective);
                }
            }
            // Read before the update: the prediction of the weights the forward used.
            ModelOutput out = publish ? AdaptiveModel.toOutput(logits, version, StepOutcome.none()) : NO_OUTPUT;
            if (!Float.isFinite(loss)) {
                restoreRunning(backup);
                return out.withStep(StepOutcome.diverged(loss, "non-finite loss; parameters unchanged"));
            }
            List<NDArray> grads = Gradients.of(params);
            StepOutcome rejected = GradientGuard.reject(loss, "", grads);
            if (rejected != null) {
                if (rejected.kind() == StepOutcome.Kind.DIVERGED) {
                    restoreRunning(backup);
                }
                return out.withStep(rejected);
            }
            optimizer.step(names, weights, grads);
            Gradients.zero(grads);
            version++;
            return out.withStep(StepOutcome.applied(loss));
        }
    }

    /** The step as one kernel call: the same outcomes, in the same cases, as the generic path. */
    private ModelOutput fusedStep(StepScope step, InputBatch batch, int[] labels, FusedUpdate update, boolean publish) {
        LibtorchKernels.MlpStep r = fused.run(step.manager(), batch, labels, update);
        ModelOutput out = publish
                ? new ModelOutput(batch.size(), model.spec().numClasses(), r.probabilities().toFloatArray(), version,
                        StepOutcome.none())
                : NO_OUTPUT;
        float loss = r.loss();
        if (!Float.isFinite(loss)) {
            return out.withStep(StepOutcome.diverged(loss, "non-finite loss; parameters unchanged"));
        }
        if (!Double.isFinite(r.gradientMagnitude())) {
            return out.withStep(StepOutcome.diverged(loss, "non-finite gradient; parameters unchanged"));
        }
        if (r.gradientMagnitude() == 0) {
            return out.withStep(StepOutcome.skipped(loss, "zero gradient"));
        }
        optimizer.fusedStepApplied(new FusedUpdate.Applied(r.eta(), r.etaGuarded()));
        version++;
        return out.withStep(StepOutcome.applied(loss));
    }

    private void restoreRunning(List<NDArray> backup) {
        for (int i = 0; i < backup.size(); i++) {
            io.ctta.runtime.memory.InPlace.copy(backup.get(i), running.get(i).getArray());
        }
    }

    @Override
    public long modelVersion() {
        return version;
    }

    /**
     * Every float parameter including BN running statistics ({@code param/<name>}), the optimizer
     * state ({@code opt/...}), the regularizer state ({@code reg/...}) and the optimizer step count.
     */
    @Override
    public java.util.Optional<io.ctta.runtime.diagnostics.Plasticity.Features> plasticity(InputBatch probe) {
        return owned.plasticity(probe);
    }

    @Override
    public StrategyState snapshot() {
        owned.ensureOpen();
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        StrategyStates.putPrefixed(tensors, PARAM, model.snapshotParameters(ParameterSelector.all()));
        StrategyStates.putPrefixed(tensors, OPT, optimizer.exportState());
        if (regularizer != null) {
            StrategyStates.putPrefixed(tensors, REG, regularizer.exportState());
        }
        Map<String, Double> scalars = new HashMap<>();
        scalars.put("optimizer.steps", (double) optimizer.stepCount());
        if (optimizer instanceof Upgd u) {
            scalars.put("upgd.eta-guards", (double) u.etaGuardCount());
        }
        return new StrategyState(name, version, tensors, scalars);
    }

    @Override
    public void restore(StrategyState state) {
        owned.ensureOpen();
        StrategyStates.requireStrategy(state, name);
        Map<String, Map<String, StrategyState.Tensor>> parts = StrategyStates.byPrefix(state.tensors(), PARAM, OPT, REG);
        Map<String, StrategyState.Tensor> p = parts.get(PARAM);
        if (!p.keySet().containsAll(initial.keySet())) {
            List<String> missing = new ArrayList<>(initial.keySet());
            missing.removeAll(p.keySet());
            throw new IllegalArgumentException(name + " state lacks parameters " + missing);
        }
        optimizer.importState(parts.get(OPT), StrategyStates.countOrZero(state, "optimizer.steps"));
        if (regularizer != null) {
            regularizer.importState(parts.get(REG));
        }
        model.restoreParameters(p);
        version = state.modelVersion();
    }

    /** Back to the creation state: initial parameters and BN statistics, fresh optimizer and regularizer. */
    @Override
    public void reset() {
        owned.ensureOpen();
        model.restoreParameters(initial);
        optimizer.reset();
        if (regularizer != null) {
            regularizer.reset();
        }
        version = 0;
    }

    @Override
    public void close() {
        owned.close(optimizer, regularizer);
    }
}
