package io.ctta.adapters.rmt;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;

/**
 * Registers {@link RmtStrategy} as {@code rmt}; settings from {@code strategies.rmt}, source data
 * from {@link StrategyContext#source()}; backward passes take {@link GradientGate#shared()}.
 */
public final class RmtProvider implements StrategyProvider {
    @Override
    public String name() {
        return RmtStrategy.NAME;
    }

    @Override
    public String description() {
        return "RMT: robust mean teacher (symmetric cross-entropy to an EMA teacher, contrastive pull to source"
                + " prototypes, optional source replay and warm-up)";
    }

    @Override
    public io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return RmtSettings.SCHEMA;
    }

    @Override
    public void validateSettings(com.typesafe.config.Config settings) {
        RmtSettings.fromConfig(settings);
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        return RmtStrategy.create(context.model(), RmtSettings.fromConfig(context.settings()), context.seed(),
                context.source().orElse(null), GradientGate.shared());
    }
}
