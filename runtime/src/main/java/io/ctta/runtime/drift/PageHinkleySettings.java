package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import io.ctta.runtime.config.SettingValues;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of {@link PageHinkleyDetector} ({@code drift.page-hinkley}); defaults are MOA's and
 * CapyMOA's ({@code PageHinkleyDM}), which River shares.
 *
 * @param minInstances no drift before this many inputs since the last reset; default 30
 * @param delta δ, the magnitude of change tolerated, in input units; default 0.005
 * @param threshold λ, the alarm threshold on the cumulative sum, in input units; default 50
 * @param alpha α, forgetting factor of the cumulative sum, in (0, 1]; default 0.9999
 * @param direction which changes of the mean to detect: {@link Direction#UP} (default, an
 *     increase: error, entropy), {@link Direction#DOWN} (confidence) or {@link Direction#BOTH}
 */
public record PageHinkleySettings(int minInstances, double delta, double threshold, double alpha, Direction direction) {

    /** The key prefix used in messages when none is given. */
    public static final String PREFIX = "drift.page-hinkley";

    /** Which change of the mean the test looks for. */
    public enum Direction {
        /** An increase of the mean. */
        UP,
        /** A decrease (the mirrored test). */
        DOWN,
        /** Either: both tests run, the larger statistic counts. */
        BOTH
    }

    /** Validates the values. */
    public PageHinkleySettings {
        SettingsReader.requireStatic(minInstances >= 1, PREFIX, "min-instances", ">= 1", minInstances);
        SettingsReader.requireStatic(delta >= 0 && Double.isFinite(delta), PREFIX, "delta", ">= 0", delta);
        SettingsReader.requireStatic(threshold > 0 && Double.isFinite(threshold), PREFIX, "threshold", "> 0", threshold);
        SettingsReader.requireStatic(alpha > 0 && alpha <= 1, PREFIX, "alpha", "in (0, 1]", alpha);
        SettingsReader.requireStatic(direction != null, PREFIX, "direction", "one of up, down, both", direction);
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final io.ctta.runtime.config.SettingsSchema SCHEMA = schema();

    private static io.ctta.runtime.config.SettingsSchema schema() {
        PageHinkleySettings d = defaults();
        return io.ctta.runtime.config.SettingsSchema.builder("Page-Hinkley test (Page, 1954): a cumulative sum of deviations from the mean")
                .add(io.ctta.runtime.config.Setting.integer("min-instances", d.minInstances(), 1, Integer.MAX_VALUE, "no drift before this many inputs since the last reset"))
                .add(io.ctta.runtime.config.Setting.number("delta", d.delta(), "δ, the change tolerated, in input units").where(v -> v >= 0, "a number >= 0"))
                .add(io.ctta.runtime.config.Setting.number("threshold", d.threshold(), "λ, the alarm threshold on the cumulative sum").where(v -> v > 0, "a number > 0"))
                .add(io.ctta.runtime.config.Setting.number("alpha", d.alpha(), "α, forgetting factor of the cumulative sum").where(v -> v > 0 && v <= 1, "a number in (0, 1]"))
                .add(io.ctta.runtime.config.Setting.oneOf("direction", d.direction().name().toLowerCase(java.util.Locale.ROOT), "which changes of the mean to detect", "up", "down", "both"))
                .build();
    }
    /** MOA's defaults: 30 instances, δ = 0.005, λ = 50, α = 0.9999, increases only. */
    public static PageHinkleySettings defaults() {
        return new PageHinkleySettings(30, 0.005, 50, 1 - 0.0001, Direction.UP);
    }

    /** Reads {@code c} (the {@code drift.page-hinkley} block); missing keys take the defaults. */
    public static PageHinkleySettings fromConfig(Config c) {
        return fromConfig(c, PREFIX);
    }

    /**
     * As {@link #fromConfig(Config)}, naming keys under {@code prefix} in messages: the block is read
     * through {@link #SCHEMA} (unknown keys, types and ranges), then the rules that span settings.
     */
    public static PageHinkleySettings fromConfig(Config c, String prefix) {
        SettingValues v = SettingsReader.read(c, SCHEMA, prefix);
        return new PageHinkleySettings(v.get("min-instances", Integer.class), v.get("delta", Double.class),
                v.get("threshold", Double.class), v.get("alpha", Double.class),
                Direction.valueOf(v.get("direction", String.class).toUpperCase(Locale.ROOT)));
    }

    Map<String, Double> asScalars() {
        return Map.of("min-instances", (double) minInstances, "delta", delta, "threshold", threshold, "alpha", alpha,
                "direction", (double) direction.ordinal());
    }
}
