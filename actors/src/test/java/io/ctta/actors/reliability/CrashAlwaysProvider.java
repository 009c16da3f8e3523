package io.ctta.actors.reliability;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;

/**
 * Test strategy {@code crash-always}: created fine (it wraps {@code source}), but every prediction
 * throws, so its pipeline crash-loops for as long as records arrive. Registered only on the test
 * classpath.
 */
public final class CrashAlwaysProvider implements StrategyProvider {

    @Override
    public String name() {
        return "crash-always";
    }

    @Override
    public String description() {
        return "source that throws on every batch (tests only)";
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        return new DelegatingStrategy("crash-always", StrategyRegistry.load().create("source", context)) {
            @Override
            public ModelOutput predict(InputBatch batch) {
                throw new IllegalStateException("injected crash: crash-always never serves a batch");
            }
        };
    }
}
