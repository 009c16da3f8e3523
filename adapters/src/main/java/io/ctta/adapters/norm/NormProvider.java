package io.ctta.adapters.norm;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.model.ModelSpec;

/** Registers {@link NormStrategy} as {@code norm}. */
public final class NormProvider implements StrategyProvider {
    @Override
    public String name() {
        return NormStrategy.NAME;
    }

    @Override
    public String description() {
        return "BatchNorm with test-batch statistics (BN-1), or mixed with source statistics (BN-alpha); nothing learned";
    }

    @Override
    public AdaptationStrategy create(StrategyContext context) {
        NormSettings s = NormSettings.fromConfig(context.settings());
        if (s.alpha() < 1 && context.model().spec().kind() != ModelSpec.Kind.BUILTIN_CNN) {
            throw new IllegalArgumentException("strategies.norm.alpha < 1 (BN-alpha) is only supported for the built-in"
                    + " CNN; TorchScript models support alpha = 1, got " + s.alpha());
        }
        return new NormStrategy(context.model(), s);
    }
}
