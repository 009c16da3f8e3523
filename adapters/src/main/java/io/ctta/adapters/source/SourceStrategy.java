package io.ctta.adapters.source;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.model.AdaptiveModel;
import java.util.Map;

/**
 * No adaptation (ALGORITHMS.md 8.1): eval-mode predictions with the source BN statistics, no
 * gradients, no state. The baseline every strategy must beat and the null object of the SPI.
 */
public final class SourceStrategy implements AdaptationStrategy {

    /** The registered name. */
    public static final String NAME = "source";

    private final AdaptiveModel model;
    private boolean closed;

    /** Takes ownership of {@code model}. */
    public SourceStrategy(AdaptiveModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelOutput predict(InputBatch batch) {
        ensureOpen();
        return model.predict(batch);
    }

    @Override
    public long modelVersion() {
        return 0;
    }

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
        return new StrategyState(NAME, 0, Map.of(), Map.of());
    }

    @Override
    public void restore(StrategyState state) {
        if (!NAME.equals(state.strategy())) {
            throw new IllegalArgumentException("cannot restore a '" + state.strategy() + "' state into " + NAME);
        }
    }

    @Override
    public void reset() {
        // nothing changes, nothing to reset
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("strategy " + NAME + " is closed");
        }
    }
}
