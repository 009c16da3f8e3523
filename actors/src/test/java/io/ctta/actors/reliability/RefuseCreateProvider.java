package io.ctta.actors.reliability;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;

/**
 * Test strategy {@code refuse-create}: its creation always fails with a refusal, as a strategy
 * whose settings do not fit the model does, so its pipeline stops for good. Registered only on
 * the test classpath.
 */
public final class RefuseCreateProvider implements StrategyProvider {

    @Override
    public String name() {
        return "refuse-create";
    }

    @Override
    public String description() {
        return "a strategy that can never be created (tests only)";
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        throw new IllegalArgumentException("refused by the test: this strategy never fits a model");
    }
}
