package io.ctta.adapters.tent;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;

/** Registers {@link TentStrategy} as {@code tent}; backward passes take {@link GradientGate#shared()}. */
public final class TentProvider implements StrategyProvider {
    /** Its state is a small part of the model: one per record key over a shared network (docs/scopes.md). */
    @Override
    public boolean supportsKeyScope() {
        return true;
    }

    @Override
    public String name() {
        return TentStrategy.NAME;
    }

    @Override
    public String description() {
        return "TENT: entropy minimisation on BatchNorm affine parameters with test-batch statistics";
    }

    @Override
    public io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return TentSettings.SCHEMA;
    }

    @Override
    public void validateSettings(com.typesafe.config.Config settings) {
        TentSettings.fromConfig(settings);
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        return new TentStrategy(context.model(), TentSettings.fromConfig(context.settings()), GradientGate.shared());
    }
}
