package io.ctta.runtime.adapt;

import com.typesafe.config.Config;
import io.ctta.runtime.model.AdaptiveModel;
import java.util.Objects;

/**
 * What a {@link StrategyProvider} gets to build a strategy.
 *
 * @param model the model the new strategy takes ownership of (and closes)
 * @param settings the strategy's own settings block (e.g. {@code strategies.tent}); missing keys
 *     take the documented defaults
 * @param seed the root seed for every random choice the strategy makes
 */
public record StrategyContext(AdaptiveModel model, Config settings, long seed) {
    public StrategyContext {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(settings, "settings");
    }
}
