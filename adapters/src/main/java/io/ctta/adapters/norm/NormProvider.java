package io.ctta.adapters.norm;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;

/** Registers {@link NormStrategy} as {@code norm}. */
public final class NormProvider implements StrategyProvider {
    /** Its state is a small part of the model: one per record key over a shared network (docs/scopes.md). */
    @Override
    public boolean supportsKeyScope() {
        return true;
    }

    @Override
    public String name() {
        return NormStrategy.NAME;
    }

    @Override
    public String description() {
        return "BatchNorm with test-batch statistics (BN-1), or mixed with source statistics (BN-alpha); nothing learned";
    }

    @Override
    public io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return NormSettings.SCHEMA;
    }

    @Override
    public void validateSettings(com.typesafe.config.Config settings) {
        NormSettings.fromConfig(settings);
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        NormSettings s = NormSettings.fromConfig(context.settings());
        if (s.alpha() < 1 && !context.model().supportsMixedStatistics()) {
            throw new IllegalArgumentException("strategies.norm.alpha < 1 (BN-alpha) mixes source and batch statistics"
                    + " inside each BatchNorm layer, which needs torch.nn BatchNorm layers; model " + context.model().spec().version()
                    + " has other normalisation layers with running statistics; use alpha = 1 (batch statistics), got " + s.alpha());
        }
        return new NormStrategy(context.model(), s);
    }
}
