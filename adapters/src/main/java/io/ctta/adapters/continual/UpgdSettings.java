package io.ctta.adapters.continual;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.adapters.support.Settings;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.adapt.optim.Upgd;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the {@code upgd} optimizer (Elsayed and Mahmood, ICLR 2024; docs/strategies/upgd.md).
 * Defaults: the runtime default that page recommends: first-order utility, global scaling, protecting form, the maximum taken
 * after bias correction (the paper), {@code α = 0.01, β_u = 0.999, σ = 0.001, λ = 0.001}.
 *
 * @param lr step size α, default 0.01 (the paper's α, not the README's 2α)
 * @param weightDecay decoupled weight decay λ ({@code weight-decay}), default 0.001
 * @param betaUtility utility trace decay β_u ({@code beta-utility}), default 0.999
 * @param sigma noise standard deviation σ, default 0.001
 * @param scaling {@code global} (default) or {@code local}
 * @param form {@code protecting} (default) or {@code non-protecting}
 * @param utilityMax {@code bias-corrected} (default, the paper) or {@code raw-trace} (the
 *     reference code) ({@code utility-max})
 */
public record UpgdSettings(double lr, double weightDecay, double betaUtility, double sigma, Upgd.Scaling scaling,
        Upgd.Form form, Upgd.UtilityMax utilityMax) implements OptimizerSettings {

    static final Set<String> KEYS = Set.of("lr", "weight-decay", "beta-utility", "sigma", "scaling", "form",
            "utility-max");


    /** The declared settings; defaults from {@link #defaults()}. */
    static final io.ctta.runtime.config.SettingsSchema SCHEMA = io.ctta.runtime.config.SettingsSchema.builder("UPGD")
            .add(io.ctta.runtime.config.Setting.number("lr", defaults().lr(), "step size").checkedBy("a number > 0"))
            .add(io.ctta.runtime.config.Setting.number("weight-decay", defaults().weightDecay(), "decoupled weight decay").checkedBy("a number >= 0 with lr x weight-decay < 1"))
            .add(io.ctta.runtime.config.Setting.number("beta-utility", defaults().betaUtility(), "decay of the utility trace").checkedBy("a number in [0, 1)"))
            .add(io.ctta.runtime.config.Setting.number("sigma", defaults().sigma(), "standard deviation of the perturbation").checkedBy("a number >= 0"))
            .add(io.ctta.runtime.config.Setting.oneOf("scaling", "global", "utility scaled by the global or the per-layer maximum", "global", "local"))
            .add(io.ctta.runtime.config.Setting.oneOf("form", "protecting", "whether high-utility weights are protected from the gradient too", "protecting", "non-protecting"))
            .add(io.ctta.runtime.config.Setting.oneOf("utility-max", "bias-corrected", "which utility trace the maximum is taken of", "bias-corrected", "raw-trace"))
            .build();
    /** The defaults. */
    public static UpgdSettings defaults() {
        return new UpgdSettings(0.01, 0.001, 0.999, 0.001, Upgd.Scaling.GLOBAL, Upgd.Form.PROTECTING,
                Upgd.UtilityMax.BIAS_CORRECTED);
    }

    static UpgdSettings read(Settings s) {
        UpgdSettings d = defaults();
        double lr = s.getDouble("lr", d.lr());
        s.require(lr > 0 && Double.isFinite(lr), "lr", "> 0", lr);
        double wd = s.getDouble("weight-decay", d.weightDecay());
        s.require(wd >= 0 && lr * wd < 1, "weight-decay", ">= 0 with lr * weight-decay < 1", wd);
        double beta = s.getDouble("beta-utility", d.betaUtility());
        s.require(beta >= 0 && beta < 1, "beta-utility", "in [0, 1)", beta);
        double sigma = s.getDouble("sigma", d.sigma());
        s.require(sigma >= 0 && Double.isFinite(sigma), "sigma", ">= 0", sigma);
        Upgd.Scaling scaling = s.oneOf("scaling", "global", "global", "local").equals("local")
                ? Upgd.Scaling.LOCAL : Upgd.Scaling.GLOBAL;
        Upgd.Form form = s.oneOf("form", "protecting", "protecting", "non-protecting").equals("protecting")
                ? Upgd.Form.PROTECTING : Upgd.Form.NON_PROTECTING;
        Upgd.UtilityMax max = s.oneOf("utility-max", "bias-corrected", "bias-corrected", "raw-trace")
                .equals("raw-trace") ? Upgd.UtilityMax.RAW_TRACE : Upgd.UtilityMax.BIAS_CORRECTED;
        return new UpgdSettings(lr, wd, beta, sigma, scaling, form, max);
    }

    @Override
    public String name() {
        return "upgd";
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public ParameterOptimizer create(NDManager parent, Map<String, Shape> shapes, long seed) {
        return new Upgd(parent, shapes, new Upgd.Options((float) lr, (float) weightDecay, (float) betaUtility,
                (float) sigma, scaling, form, utilityMax, seed));
    }
}
