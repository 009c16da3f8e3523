package io.ctta.adapters.continual;

import io.ctta.adapters.support.Settings;
import java.util.Set;

/**
 * Settings of the spectral regularizer (docs/strategies/spectral.md), the block {@code spectral { ... }}:
 * {@code ρ · [Σ_matrices (σ_max^k − 1)² + Σ_biases ‖b‖₂^{2k} + Σ_scales (max|γ|^k − 1)²]}.
 *
 * @param rho strength ρ, default 1e-3 (the paper's value was not retrieved; our choice)
 * @param exponent the exponent {@code k}, default 2
 * @param biases pull bias vectors (and normalisation shifts) towards zero, default true
 * @param normScales pull normalisation scales (diagonal matrices, spectral norm {@code max|γ|})
 *     towards one ({@code norm-scales}), default true
 */
public record SpectralSettings(double rho, double exponent, boolean biases, boolean normScales) {

    static final Set<String> KEYS = Set.of("rho", "exponent", "biases", "norm-scales");

    /** Validates ranges. */
    public SpectralSettings {
        if (!(rho >= 0) || !Double.isFinite(rho)) {
            throw new IllegalArgumentException("rho must be >= 0, got " + rho);
        }
        if (!(exponent >= 1) || !Double.isFinite(exponent)) {
            throw new IllegalArgumentException("exponent must be >= 1, got " + exponent);
        }
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    static final io.ctta.runtime.config.SettingsSchema SCHEMA = io.ctta.runtime.config.SettingsSchema.builder(
            "spectral regularization (Lewandowski et al., ICLR 2025)")
            .add(io.ctta.runtime.config.Setting.number("rho", defaults().rho(), "regularization strength").checkedBy("a number >= 0"))
            .add(io.ctta.runtime.config.Setting.number("exponent", defaults().exponent(), "the exponent k").checkedBy("a number >= 1"))
            .add(io.ctta.runtime.config.Setting.bool("biases", defaults().biases(), "pull bias vectors (and normalisation shifts) towards zero"))
            .add(io.ctta.runtime.config.Setting.bool("norm-scales", defaults().normScales(), "pull normalisation scales towards one"))
            .build();
    /** The defaults. */
    public static SpectralSettings defaults() {
        return new SpectralSettings(1e-3, 2, true, true);
    }

    static SpectralSettings read(Settings s) {
        s.rejectUnknown(KEYS);
        SpectralSettings d = defaults();
        double rho = s.getDouble("rho", d.rho());
        s.require(rho >= 0 && Double.isFinite(rho), "rho", ">= 0", rho);
        double k = s.getDouble("exponent", d.exponent());
        s.require(k >= 1 && Double.isFinite(k), "exponent", ">= 1", k);
        return new SpectralSettings(rho, k, s.getBoolean("biases", d.biases()), s.getBoolean("norm-scales", d.normScales()));
    }
}
