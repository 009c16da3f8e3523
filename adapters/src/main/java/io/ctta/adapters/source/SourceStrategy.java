package io.ctta.adapters.source;

import io.ctta.adapters.support.OwnedModel;
import io.ctta.adapters.support.StrategyStates;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ParameterSelector;
import java.util.Map;

/**
 * No adaptation (docs/strategies/source.md): eval-mode predictions with the source BN statistics, no
 * gradients, no state. The baseline every strategy must beat and the null object of the SPI.
 */
public final class SourceStrategy implements AdaptationStrategy {

    /** The registered name. */
    public static final String NAME = "source";

    private final OwnedModel owned;
    private final AdaptiveModel model;

    /** Takes ownership of {@code model}. */
    public SourceStrategy(AdaptiveModel model) {
        this.owned = new OwnedModel(NAME, model);
        this.model = model;
        // Nothing is trained; a frozen model runs in the faster channels-last layout
        // (AdaptiveModel#preferChannelsLast).
        model.setTrainable(ParameterSelector.all(), false);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelOutput predict(InputBatch batch) {
        owned.ensureOpen();
        return model.predict(batch);
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

    /** Key scope over the shared network: nothing adapts: a key's state is empty. */
    @Override
    public java.util.Optional<io.ctta.runtime.adapt.KeyScopedState> keyScopedState() {
        return java.util.Optional.of(io.ctta.runtime.adapt.KeyScopedState.bySnapshot(this));
    }

    @Override
    public StrategyState snapshot() {
        return new StrategyState(NAME, 0, Map.of(), Map.of());
    }

    @Override
    public void restore(StrategyState state) {
        StrategyStates.requireStrategy(state, NAME);
    }

    @Override
    public void reset() {
        // nothing changes, nothing to reset
    }

    @Override
    public void close() {
        owned.close();
    }
}
