package io.ctta.adapters.tent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.adapt.Objectives;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.Adam;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.adapt.optim.Sgd;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ParameterSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TENT (Wang et al., ICLR 2021; ALGORITHMS.md 8.3): per batch, one forward with BN batch
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

    private final AdaptiveModel model;
    private final TentSettings settings;
    private final GradientGate gate;
    private final List<String> names;
    private final List<Parameter> params;
    private final Map<String, StrategyState.Tensor> initial;
    private final ParameterOptimizer optimizer;
    private long version;
    private boolean closed;

    /**
     * Takes ownership of {@code model}, freezes everything but its normalisation affine parameters
     * and captures them for {@link #reset()}.
     *
     * @throws IllegalArgumentException when the model has no normalisation affine parameters
     */
    public TentStrategy(AdaptiveModel model, TentSettings settings, GradientGate gate) {
        this.model = model;
        this.settings = settings;
        this.gate = gate;
        ParameterSelector affine = ParameterSelector.batchNormAffine();
        this.names = List.copyOf(model.parameterNames(affine));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("tent needs BatchNorm/LayerNorm/GroupNorm affine parameters, but model "
                    + model.spec().version() + " has none that ParameterSelector.batchNormAffine() recognises");
        }
        model.trainOnly(affine);
        this.params = List.copyOf(model.parameters(affine));
        this.initial = model.snapshotParameters(affine);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            shapes.put(names.get(i), params.get(i).getArray().getShape());
        }
        this.optimizer = settings.optimizer().equals("sgd")
                ? new Sgd(model.manager(), shapes, (float) settings.lr(), (float) settings.momentum(), settings.nesterov())
                : new Adam(model.manager(), shapes, (float) settings.lr(), (float) settings.beta1(),
                        (float) settings.beta2(), (float) settings.epsilon());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelOutput predict(InputBatch batch) {
        ensureOpen();
        if (batch.size() < 2) {
            return model.predict(batch).withStep(StepOutcome.skipped(Double.NaN, "batch of 1: eval-mode prediction"));
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
            double mass = Gradients.absSum(grads);
            if (!Double.isFinite(mass)) {
                Gradients.zero(grads);
                return out.withStep(StepOutcome.diverged(loss, "non-finite gradient; parameters unchanged"));
            }
            if (mass == 0) {
                Gradients.zero(grads);
                return out.withStep(StepOutcome.skipped(loss, "zero gradient"));
            }
            List<NDArray> weights = new ArrayList<>(params.size());
            for (Parameter p : params) {
                weights.add(p.getArray());
            }
            optimizer.step(names, weights, grads);
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
        return model.isClosed() ? 0 : model.liveBytes();
    }

    @Override
    public java.util.Optional<io.ctta.runtime.diagnostics.Plasticity.Probe> plasticity(InputBatch probe) {
        return io.ctta.runtime.diagnostics.Plasticity.tryProbe(model, probe);
    }

    @Override
    public StrategyState snapshot() {
        ensureOpen();
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        model.snapshotParameters(ParameterSelector.batchNormAffine()).forEach((k, v) -> tensors.put(PARAM + k, v));
        optimizer.exportState().forEach((k, v) -> tensors.put(OPT + k, v));
        return new StrategyState(NAME, version, tensors, Map.of("optimizer.steps", (double) optimizer.stepCount()));
    }

    @Override
    public void restore(StrategyState state) {
        ensureOpen();
        if (!NAME.equals(state.strategy())) {
            throw new IllegalArgumentException("cannot restore a '" + state.strategy() + "' state into " + NAME);
        }
        Map<String, StrategyState.Tensor> p = new HashMap<>();
        Map<String, StrategyState.Tensor> o = new HashMap<>();
        state.tensors().forEach((k, v) -> {
            if (k.startsWith(PARAM)) {
                p.put(k.substring(PARAM.length()), v);
            } else if (k.startsWith(OPT)) {
                o.put(k.substring(OPT.length()), v);
            }
        });
        if (!p.keySet().containsAll(names)) {
            throw new IllegalArgumentException("tent state lacks parameters; expected " + names + ", got " + p.keySet());
        }
        Double steps = state.scalars().get("optimizer.steps");
        optimizer.importState(o, steps == null ? 0 : steps.longValue());
        model.restoreParameters(p);
        version = state.modelVersion();
    }

    /** Back to the creation state: initial affine parameters, fresh optimizer, version 0. */
    @Override
    public void reset() {
        ensureOpen();
        model.restoreParameters(initial);
        optimizer.reset();
        version = 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                optimizer.close();
            } finally {
                model.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("strategy " + NAME + " is closed");
        }
    }
}
