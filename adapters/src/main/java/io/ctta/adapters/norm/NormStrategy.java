package io.ctta.adapters.norm;

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
import io.ctta.runtime.model.ModelRequirements;
import io.ctta.runtime.model.ParameterSelector;
import java.util.Map;

/**
 * Normalisation-only adaptation (docs/strategies/norm.md): BN normalises with the test batch's
 * statistics (BN-1) or a mix with the source statistics (BN-α); nothing is learned and the running
 * statistics are never modified, so the strategy has no state.
 *
 * <p>A batch of one sample has no usable statistics; it is predicted in eval mode instead.
 */
public final class NormStrategy implements AdaptationStrategy {

    /** The registered name. */
    public static final String NAME = "norm";

    private final OwnedModel owned;
    private final AdaptiveModel model;
    private final NormSettings settings;

    /**
     * Takes ownership of {@code model}.
     *
     * @throws IllegalArgumentException when the model has no BatchNorm layer that switches to batch
     *     statistics (see {@link ModelRequirements#requireBatchStatistics})
     */
    public NormStrategy(AdaptiveModel model, NormSettings settings) {
        ModelRequirements.requireBatchStatistics(model, NAME);
        this.owned = new OwnedModel(NAME, model);
        this.model = model;
        this.settings = settings;
        // Nothing is trained (TENT's norm.py: requires_grad_(False)); a frozen model runs in the
        // faster channels-last layout (AdaptiveModel#preferChannelsLast).
        model.setTrainable(ParameterSelector.all(), false);
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
        try (StepScope step = model.newStep()) {
            var logits = model.forward(step.manager(), batch, ForwardMode.BATCH_STATS, (float) settings.alpha()).head();
            return AdaptiveModel.toOutput(logits, 0, StepOutcome.none());
        }
    }

    @Override
    public long modelVersion() {
        return 0;
    }

    @Override
    public long nativeBytes() {
        return owned.nativeBytes();
    }

    @Override
    public java.util.Optional<io.ctta.runtime.diagnostics.Plasticity.Features> plasticity(InputBatch probe) {
        return owned.plasticity(probe);
    }

    /** Key scope over the shared network: nothing it adapts outlives a batch (batch statistics, running statistics untouched): a key's state is empty. */
    @Override
    public java.util.Optional<io.ctta.runtime.adapt.KeyScopedState> keyScopedState() {
        return java.util.Optional.of(io.ctta.runtime.adapt.KeyScopedState.bySnapshot(this));
    }

    @Override
    public StrategyState snapshot() {
        return new StrategyState(NAME, 0, Map.of(), Map.of("alpha", settings.alpha()));
    }

    @Override
    public void restore(StrategyState state) {
        StrategyStates.requireStrategy(state, NAME);
    }

    @Override
    public void reset() {
        // stateless
    }

    @Override
    public void close() {
        owned.close();
    }
}
