package io.ctta.adapters.source;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;

/** Registers {@link SourceStrategy} as {@code source}. It has no settings. */
public final class SourceProvider implements StrategyProvider {
    /** Its state is a small part of the model: one per record key over a shared network (docs/scopes.md). */
    @Override
    public boolean supportsKeyScope() {
        return true;
    }

    @Override
    public String name() {
        return SourceStrategy.NAME;
    }

    @Override
    public String description() {
        return "no adaptation: the source model in eval mode";
    }

    @Override
    public io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return io.ctta.runtime.config.SettingsSchema.empty("no settings");
    }

    @Override
    public void validateSettings(com.typesafe.config.Config settings) {
        // Nothing to read: the schema refuses every key.
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        return new SourceStrategy(context.model());
    }
}
