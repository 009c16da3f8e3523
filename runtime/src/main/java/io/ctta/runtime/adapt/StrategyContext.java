package io.ctta.runtime.adapt;

import com.typesafe.config.Config;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link StrategyProvider} gets to build a strategy.
 *
 * @param model the model the new strategy takes ownership of (and closes)
 * @param settings the strategy's own settings block (e.g. {@code strategies.tent}); missing keys
 *     take the documented defaults
 * @param seed the root seed for every random choice the strategy makes
 * @param sourceData labelled source samples for strategies that warm up or replay (EcoTTA, RMT);
 *     null when the deployment has none
 */
public record StrategyContext(AdaptiveModel model, Config settings, long seed, SourceData sourceData) {
    public StrategyContext {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(settings, "settings");
    }

    /** A context without source data. */
    public StrategyContext(AdaptiveModel model, Config settings, long seed) {
        this(model, settings, seed, null);
    }

    /** The source data, if the deployment provides it. */
    public Optional<SourceData> source() {
        return Optional.ofNullable(sourceData);
    }
}
