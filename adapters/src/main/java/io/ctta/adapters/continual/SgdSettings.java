package io.ctta.adapters.continual;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.adapters.support.Settings;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.adapt.optim.SgdW;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the {@code sgd} optimizer: SGD with decoupled weight decay (SGDW); with
 * {@code sigma > 0} it is PGD ({@code weight-decay = 0}) or Shrink-and-Perturb.
 * Defaults: the UPGD paper's tuned streaming SGDW on label-permuted EMNIST (Elsayed and Mahmood,
 * ICLR 2024; docs/strategies/sgd-adam.md).
 *
 * @param lr step size α, default 0.01
 * @param weightDecay decoupled weight decay λ ({@code weight-decay}), default 1e-4
 * @param sigma standard deviation of the Gaussian perturbation added to the gradient, default 0
 */
public record SgdSettings(double lr, double weightDecay, double sigma) implements OptimizerSettings {

    static final Set<String> KEYS = Set.of("lr", "weight-decay", "sigma");


    /** The declared settings; defaults from {@link #defaults()}. */
    static final io.ctta.runtime.config.SettingsSchema SCHEMA = io.ctta.runtime.config.SettingsSchema.builder("SGDW")
            .add(io.ctta.runtime.config.Setting.number("lr", defaults().lr(), "step size α").checkedBy("a number > 0"))
            .add(io.ctta.runtime.config.Setting.number("weight-decay", defaults().weightDecay(), "decoupled weight decay λ").checkedBy("a number >= 0 with lr x weight-decay < 1"))
            .add(io.ctta.runtime.config.Setting.number("sigma", defaults().sigma(), "standard deviation of the Gaussian perturbation added to the gradient").checkedBy("a number >= 0"))
            .build();
    /** The defaults. */
    public static SgdSettings defaults() {
        return new SgdSettings(0.01, 1e-4, 0);
    }

    static SgdSettings read(Settings s) {
        SgdSettings d = defaults();
        double lr = s.getDouble("lr", d.lr());
        s.require(lr > 0 && Double.isFinite(lr), "lr", "> 0", lr);
        double wd = s.getDouble("weight-decay", d.weightDecay());
        s.require(wd >= 0 && lr * wd < 1, "weight-decay", ">= 0 with lr * weight-decay < 1", wd);
        double sigma = s.getDouble("sigma", d.sigma());
        s.require(sigma >= 0 && Double.isFinite(sigma), "sigma", ">= 0", sigma);
        return new SgdSettings(lr, wd, sigma);
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public ParameterOptimizer create(NDManager parent, Map<String, Shape> shapes, long seed) {
        return new SgdW((float) lr, (float) weightDecay, (float) sigma, seed);
    }
}
