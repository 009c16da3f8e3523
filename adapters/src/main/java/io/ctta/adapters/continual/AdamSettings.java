package io.ctta.adapters.continual;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.adapters.support.Settings;
import io.ctta.runtime.adapt.optim.AdamW;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the {@code adam} optimizer: AdamW (decoupled weight decay). Defaults: the UPGD
 * paper's tuned streaming AdamW on label-permuted EMNIST (Elsayed and Mahmood,
 * ICLR 2024; docs/strategies/sgd-adam.md): no momentum.
 *
 * @param lr step size α, default 1e-4
 * @param beta1 first-moment decay, default 0 (no momentum wins with streaming updates)
 * @param beta2 second-moment decay, default 0.9999
 * @param epsilon denominator guard, default 1e-8
 * @param weightDecay decoupled weight decay λ ({@code weight-decay}), default 0.1
 */
public record AdamSettings(double lr, double beta1, double beta2, double epsilon, double weightDecay)
        implements OptimizerSettings {

    static final Set<String> KEYS = Set.of("lr", "beta1", "beta2", "epsilon", "weight-decay");


    /** The declared settings; defaults from {@link #defaults()}. */
    static final io.ctta.runtime.config.SettingsSchema SCHEMA = io.ctta.runtime.config.SettingsSchema.builder("AdamW")
            .add(io.ctta.runtime.config.Setting.number("lr", defaults().lr(), "step size").checkedBy("a number > 0"))
            .add(io.ctta.runtime.config.Setting.number("beta1", defaults().beta1(), "Adam β1").checkedBy("a number in [0, 1)"))
            .add(io.ctta.runtime.config.Setting.number("beta2", defaults().beta2(), "Adam β2").checkedBy("a number in [0, 1)"))
            .add(io.ctta.runtime.config.Setting.number("epsilon", defaults().epsilon(), "Adam ε").checkedBy("a number > 0"))
            .add(io.ctta.runtime.config.Setting.number("weight-decay", defaults().weightDecay(), "decoupled weight decay").checkedBy("a number >= 0 with lr x weight-decay < 1"))
            .build();
    /** The defaults. */
    public static AdamSettings defaults() {
        return new AdamSettings(1e-4, 0, 0.9999, 1e-8, 0.1);
    }

    static AdamSettings read(Settings s) {
        AdamSettings d = defaults();
        double lr = s.getDouble("lr", d.lr());
        s.require(lr > 0 && Double.isFinite(lr), "lr", "> 0", lr);
        double b1 = s.getDouble("beta1", d.beta1());
        s.require(b1 >= 0 && b1 < 1, "beta1", "in [0, 1)", b1);
        double b2 = s.getDouble("beta2", d.beta2());
        s.require(b2 >= 0 && b2 < 1, "beta2", "in [0, 1)", b2);
        double eps = s.getDouble("epsilon", d.epsilon());
        s.require(eps > 0 && Double.isFinite(eps), "epsilon", "> 0", eps);
        double wd = s.getDouble("weight-decay", d.weightDecay());
        s.require(wd >= 0 && lr * wd < 1, "weight-decay", ">= 0 with lr * weight-decay < 1", wd);
        return new AdamSettings(lr, b1, b2, eps, wd);
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public ParameterOptimizer create(NDManager parent, Map<String, Shape> shapes, long seed) {
        return new AdamW(parent, shapes, (float) lr, (float) beta1, (float) beta2, (float) epsilon, (float) weightDecay);
    }
}
