package io.ctta.adapters.continual;

import io.ctta.adapters.support.Settings;
import java.util.Set;

/**
 * Settings of the Wasserstein-to-initialization regularizer (docs/strategies/spectral.md), the block
 * {@code wasserstein { ... }}: {@code ρ · Σ_tensors Σ_i (sort(θ)_i − sort(θ⁰)_i)²}.
 *
 * @param rho strength ρ, default 1e-3 (the paper's scaling was not retrieved; our choice)
 */
public record WassersteinSettings(double rho) {

    static final Set<String> KEYS = Set.of("rho");

    /** Validates the range. */
    public WassersteinSettings {
        if (!(rho >= 0) || !Double.isFinite(rho)) {
            throw new IllegalArgumentException("rho must be >= 0, got " + rho);
        }
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    static final io.ctta.runtime.config.SettingsSchema SCHEMA = io.ctta.runtime.config.SettingsSchema.builder(
            "Wasserstein regularization to the initial weight distribution")
            .add(io.ctta.runtime.config.Setting.number("rho", defaults().rho(), "regularization strength").checkedBy("a number >= 0"))
            .build();
    /** The defaults. */
    public static WassersteinSettings defaults() {
        return new WassersteinSettings(1e-3);
    }

    static WassersteinSettings read(Settings s) {
        s.rejectUnknown(KEYS);
        double rho = s.getDouble("rho", defaults().rho());
        s.require(rho >= 0 && Double.isFinite(rho), "rho", ">= 0", rho);
        return new WassersteinSettings(rho);
    }
}
