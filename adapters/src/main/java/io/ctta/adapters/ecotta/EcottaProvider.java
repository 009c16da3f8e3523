package io.ctta.adapters.ecotta;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;

/**
 * Registers {@link EcottaStrategy} as {@code ecotta}. It takes the context's source data for the
 * warm-up (unless {@code strategies.ecotta.cache-dir} holds one) and {@link GradientGate#shared()}
 * for every backward pass.
 */
public final class EcottaProvider implements StrategyProvider {
    /** Its state is a small part of the model: one per record key over a shared network (docs/scopes.md). */
    @Override
    public boolean supportsKeyScope() {
        return true;
    }

    @Override
    public String name() {
        return EcottaStrategy.NAME;
    }

    @Override
    public String description() {
        return "EcoTTA: frozen source model plus warmed-up meta networks adapted by filtered entropy"
                + " and self-distilled regularisation (built-in CNN; needs source data or a cached warm-up)";
    }

    @Override
    public io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return EcottaSettings.SCHEMA;
    }

    @Override
    public void validateSettings(com.typesafe.config.Config settings) {
        EcottaSettings.fromConfig(settings);
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        return EcottaStrategy.create(context.model(), EcottaSettings.fromConfig(context.settings()), context.seed(),
                context.source().orElse(null), GradientGate.shared());
    }
}
