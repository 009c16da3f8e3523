package io.ctta.adapters.reloop2;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;

/**
 * Registers {@link ReLoop2Strategy} as {@code reloop2}. The wrapped strategy
 * ({@code strategies.reloop2.base}) is resolved through {@link StrategyRegistry} and created with
 * the same model, seed and source data, and with {@code strategies.reloop2.base-settings} as its
 * settings.
 */
public final class ReLoop2Provider implements StrategyProvider {
    @Override
    public String name() {
        return ReLoop2Strategy.NAME;
    }

    @Override
    public String description() {
        return "ReLoop2: error-compensation memory (LSH sketch or kNN) that corrects a base strategy's outputs"
                + " from recent labelled errors";
    }

    @Override
    public io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return ReLoop2Settings.SCHEMA;
    }

    @Override
    public void validateSettings(com.typesafe.config.Config settings) {
        ReLoop2Settings.fromConfig(settings);
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        ReLoop2Settings s = ReLoop2Settings.fromConfig(context.settings());
        StrategyRegistry registry = StrategyRegistry.load(ReLoop2Provider.class.getClassLoader());
        if (!registry.names().contains(s.base())) {
            throw new IllegalArgumentException(io.ctta.runtime.config.ConfigProblem.badValue(ReLoop2Settings.PREFIX + ".base", s.base(),
                    "one of " + String.join(", ", registry.names().stream().filter(n -> !n.equals(ReLoop2Strategy.NAME)).toList()))
                    .toString());
        }
        AdaptationStrategy base;
        try {
            base = registry.create(s.base(), new StrategyContext(context.model(), s.baseSettings(), context.seed(),
                    context.sourceData()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ReLoop2Settings.PREFIX + ".base-settings (for '" + s.base() + "'): "
                    + e.getMessage(), e);
        }
        try {
            return new ReLoop2Strategy(base, context.model(), s, context.seed());
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }
}
