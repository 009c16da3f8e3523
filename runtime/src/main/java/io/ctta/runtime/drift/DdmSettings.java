package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import io.ctta.runtime.config.SettingValues;
import java.util.Map;

/**
 * Settings of {@link DdmDetector} ({@code drift.ddm}); defaults are River's and MOA's.
 *
 * @param minSamples no warning or drift before this many inputs since the last reset; default 30
 * @param warningThreshold warning when p + s ≥ p_min + this · s_min; default 2.0 (about 95 %)
 * @param driftThreshold drift when p + s ≥ p_min + this · s_min; default 3.0 (about 99 %)
 */
public record DdmSettings(int minSamples, double warningThreshold, double driftThreshold) {

    /** The key prefix used in messages when none is given. */
    public static final String PREFIX = "drift.ddm";

    /** Validates the values. */
    public DdmSettings {
        SettingsReader.requireStatic(minSamples >= 1, PREFIX, "min-samples", ">= 1", minSamples);
        SettingsReader.requireStatic(warningThreshold > 0 && Double.isFinite(warningThreshold), PREFIX, "warning-threshold", "> 0",
                warningThreshold);
        SettingsReader.requireStatic(driftThreshold >= warningThreshold && Double.isFinite(driftThreshold), PREFIX, "drift-threshold",
                ">= " + PREFIX + ".warning-threshold (" + SettingsReader.format(warningThreshold) + ")", driftThreshold);
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final io.ctta.runtime.config.SettingsSchema SCHEMA = schema();

    private static io.ctta.runtime.config.SettingsSchema schema() {
        DdmSettings d = defaults();
        return io.ctta.runtime.config.SettingsSchema.builder("DDM (Gama et al., 2004): the error rate of labelled records")
                .add(io.ctta.runtime.config.Setting.integer("min-samples", d.minSamples(), 1, Integer.MAX_VALUE, "no warning or drift before this many inputs since the last reset"))
                .add(io.ctta.runtime.config.Setting.number("warning-threshold", d.warningThreshold(), "warning when p + s >= p_min + this x s_min").where(v -> v > 0, "a number > 0"))
                .add(io.ctta.runtime.config.Setting.number("drift-threshold", d.driftThreshold(), "drift when p + s >= p_min + this x s_min; at least warning-threshold").where(v -> v > 0, "a number > 0"))
                .build();
    }
    /** The defaults: 30 samples, warning 2σ, drift 3σ. */
    public static DdmSettings defaults() {
        return new DdmSettings(30, 2.0, 3.0);
    }

    /** Reads {@code c} (the {@code drift.ddm} block); missing keys take the defaults. */
    public static DdmSettings fromConfig(Config c) {
        return fromConfig(c, PREFIX);
    }

    /**
     * As {@link #fromConfig(Config)}, naming keys under {@code prefix} in messages: the block is read
     * through {@link #SCHEMA} (unknown keys, types and ranges), then the rules that span settings.
     */
    public static DdmSettings fromConfig(Config c, String prefix) {
        SettingValues v = SettingsReader.read(c, SCHEMA, prefix);
        double warn = v.get("warning-threshold", Double.class);
        double drift = v.get("drift-threshold", Double.class);
        SettingsReader.require(drift >= warn, prefix, "drift-threshold", ">= " + prefix + ".warning-threshold (" + SettingsReader.format(warn) + ")", drift);
        return new DdmSettings(v.get("min-samples", Integer.class), warn, drift);
    }

    Map<String, Double> asScalars() {
        return Map.of("min-samples", (double) minSamples, "warning-threshold", warningThreshold, "drift-threshold", driftThreshold);
    }
}
