package io.ctta.adapters.continual;

import io.ctta.adapters.support.Settings;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;
import java.util.Objects;
import java.util.function.Function;

/**
 * The shared body of the continual providers: reads and validates {@code strategies.<name>}
 * (messages name the key), then builds a {@link ContinualStrategy}. Backward passes take
 * {@link GradientGate#shared()}.
 */
abstract class ContinualProvider implements StrategyProvider {

    private final String name;
    private final String description;
    private final Function<Settings, OptimizerSettings> optimizer;
    private final boolean composed;
    private final io.ctta.runtime.config.SettingsSchema schema;

    ContinualProvider(String name, String description, Function<Settings, OptimizerSettings> optimizer,
            boolean composed, io.ctta.runtime.config.SettingsSchema optimizerSchema) {
        this.name = Objects.requireNonNull(name);
        this.description = Objects.requireNonNull(description);
        this.optimizer = Objects.requireNonNull(optimizer);
        this.composed = composed;
        this.schema = LearnerSettings.schema(description, optimizerSchema, composed);
    }

    @Override
    public final io.ctta.runtime.config.SettingsSchema settingsSchema() {
        return schema;
    }

    @Override
    public final void validateSettings(com.typesafe.config.Config settings) {
        Settings s = Settings.forStrategy(settings, name);
        LearnerSettings.read(s, optimizer.apply(s), composed, name);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final AdaptationStrategy create(StrategyContext context) {
        Settings s = Settings.forStrategy(context.settings(), name);
        OptimizerSettings opt = optimizer.apply(s);
        LearnerSettings learner = LearnerSettings.read(s, opt, composed, name);
        return new ContinualStrategy(name, context.model(), opt, learner, GradientGate.shared(), context.seed());
    }
}
