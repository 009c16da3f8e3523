package io.ctta.adapters.tent;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.ctta.adapters.support.GradientGuard;
import io.ctta.adapters.support.OwnedModel;
import io.ctta.adapters.support.ParameterLists;
import io.ctta.adapters.support.StrategyStates;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.adapt.Objectives;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ModelRequirements;
import io.ctta.runtime.model.ParameterSelector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TENT (Wang et al., ICLR 2021, "Tent: Fully Test-Time Adaptation by Entropy Minimization";
 * docs/strategies/tent.md): per batch, one forward with BN batch
 * statistics, loss = mean prediction entropy (no filter), one backward, one optimizer step on
 * the BN/LN/GN affine parameters only. The published predictions come from that forward, before
 * the step. Everything else is frozen and bit-identical.
 *
 * <p>A non-finite loss or gradient returns {@link StepOutcome.Kind#DIVERGED} with parameters and
 * optimizer unchanged; an all-zero gradient returns SKIPPED. A batch of one sample is predicted
 * in eval mode and skipped (batch statistics need at least two samples).
 */
public final class TentStrategy implements AdaptationStrategy {

    /** The registered name. */
    public static final String NAME = "tent";

    private static final String PARAM = "param/";
    private static final String OPT = "opt/";

    private final OwnedModel owned;
    private final AdaptiveModel model;
    private final TentSettings settings;
    private final GradientGate gate;
    private final List<String> names;
    private final List<Parameter> params;
    private final Map<String, StrategyState.Tensor> initial;
    private final ParameterOptimizer optimizer;
    private long version;

    /**
     * Takes ownership of {@code model}, freezes everything but its normalisation affine parameters
     * and captures them for {@link #reset()}.
     *
     * @throws IllegalArgumentException when the model has no normalisation affine parameters, or
     *     BatchNorm layers that ignore training mode ({@link ModelRequirements#requireNormalisationAffine})
     */
    public TentStrategy(AdaptiveModel model, TentSettings settings, GradientGate gate) {
        this.owned = new OwnedModel(NAME, model);
        this.model = model;
        this.settings = settings;
        this.gate = gate;
        ModelRequirements.requireNormalisationAffine(model, NAME);
        ParameterSelector affine = ParameterSelector.batchNormAffine();
        this.names = List.copyOf(model.parameterNames(affine));
        model.trainOnly(affine);
        this.params = List.copyOf(model.parameters(affine));
        this.initial = model.snapshotParameters(affine);
        this.optimizer = settings.optimizerSettings().create(model.manager(), ParameterLists.shapes(names, params));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelOutput predict(InputBatch batch) {
        owned.ensureOpen();
        if (batch.size() < 2) {
            return owned.evalModeSkipped(batch);
        }
        if (settings.episodic()) {
            reset();
        }
        long producedBy = version;
        try (StepScope step = model.newStep()) {
            NDArray logits;
            float loss;
            try (GradientGate.Session session = gate.open()) {
                logits = model.forward(step.manager(), batch, ForwardMode.BATCH_STATS).head();
                NDArray l = Objectives.meanEntropy(logits);
                loss = l.getFloat();
                if (Float.isFinite(loss)) {
                    session.backward(l);
                }
            }
            ModelOutput out = AdaptiveModel.toOutput(logits, producedBy, StepOutcome.none());
            if (!Float.isFinite(loss)) {
                return out.withStep(StepOutcome.diverged(loss, "non-finite entropy loss; parameters unchanged"));
            }
            List<NDArray> grads = Gradients.of(params);
            StepOutcome rejected = GradientGuard.reject(loss, "", grads);
            if (rejected != null) {
                return out.withStep(rejected);
            }
            optimizer.step(names, ParameterLists.arrays(params), grads);
            Gradients.zero(grads);
            version++;
            return out.withStep(StepOutcome.applied(loss));
        }
    }

    @Override
    public long modelVersion() {
        return version;
    }

    /**
     * Parameters ({@code param/<name>}, the affine parameters only: everything else is frozen and
     * equals the model the strategy was created with), optimizer state ({@code opt/...}) and the
     * optimizer step count.
     */
    @Override
    public long nativeBytes() {
        return owned.nativeBytes();
    }

    @Override
    public java.util.Optional<io.ctta.runtime.diagnostics.Plasticity.Features> plasticity(InputBatch probe) {
        return owned.plasticity(probe);
    }

    /** Key scope over the shared network: its snapshot holds only the normalisation affine parameters, their optimizer state and the version. */
    @Override
    public java.util.Optional<io.ctta.runtime.adapt.KeyScopedState> keyScopedState() {
        return java.util.Optional.of(io.ctta.runtime.adapt.KeyScopedState.bySnapshot(this));
    }

    @Override
    public StrategyState snapshot() {
        owned.ensureOpen();
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        StrategyStates.putPrefixed(tensors, PARAM, model.snapshotParameters(ParameterSelector.batchNormAffine()));
        StrategyStates.putPrefixed(tensors, OPT, optimizer.exportState());
        return new StrategyState(NAME, version, tensors, Map.of("optimizer.steps", (double) optimizer.stepCount()));
    }

    @Override
    public void restore(StrategyState state) {
        owned.ensureOpen();
        StrategyStates.requireStrategy(state, NAME);
        Map<String, Map<String, StrategyState.Tensor>> parts = StrategyStates.byPrefix(state.tensors(), PARAM, OPT);
        Map<String, StrategyState.Tensor> p = parts.get(PARAM);
        if (!p.keySet().containsAll(names)) {
            throw new IllegalArgumentException("tent state lacks parameters; expected " + names + ", got " + p.keySet());
        }
        optimizer.importState(parts.get(OPT), StrategyStates.countOrZero(state, "optimizer.steps"));
        model.restoreParameters(p);
        version = state.modelVersion();
    }

    /** Back to the creation state: initial affine parameters, fresh optimizer, version 0. */
    @Override
    public void reset() {
        owned.ensureOpen();
        model.restoreParameters(initial);
        optimizer.reset();
        version = 0;
    }

    @Override
    public void close() {
        owned.close(optimizer);
    }
}
