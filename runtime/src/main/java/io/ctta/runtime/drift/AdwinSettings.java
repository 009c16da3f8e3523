package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import io.ctta.runtime.config.SettingValues;
import java.util.Map;

/**
 * Settings of {@link AdwinDetector} ({@code drift.adwin}); defaults are River's {@code ADWIN}
 * (delta also MOA's).
 *
 * @param delta confidence δ in (0, 1): smaller means fewer false alarms and slower detection; default 0.002
 * @param clock check for a cut every {@code clock} inputs; default 32
 * @param maxBuckets M, buckets of each size kept before the two oldest merge; default 5
 * @param minWindowLength both sub-windows must hold at least this many inputs; default 5
 * @param gracePeriod no check until the window is longer than this; default 10
 */
public record AdwinSettings(double delta, int clock, int maxBuckets, int minWindowLength, int gracePeriod) {

    /** The key prefix used in messages when none is given. */
    public static final String PREFIX = "drift.adwin";

    /** Validates the values (messages name the {@code drift.adwin.*} key). */
    public AdwinSettings {
        SettingsReader.requireStatic(delta > 0 && delta < 1, PREFIX, "delta", "in (0, 1)", delta);
        SettingsReader.requireStatic(clock >= 1, PREFIX, "clock", ">= 1", clock);
        SettingsReader.requireStatic(maxBuckets >= 1, PREFIX, "max-buckets", ">= 1", maxBuckets);
        SettingsReader.requireStatic(minWindowLength >= 1, PREFIX, "min-window-length", ">= 1", minWindowLength);
        SettingsReader.requireStatic(gracePeriod >= 0, PREFIX, "grace-period", ">= 0", gracePeriod);
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final io.ctta.runtime.config.SettingsSchema SCHEMA = schema();

    private static io.ctta.runtime.config.SettingsSchema schema() {
        AdwinSettings d = defaults();
        return io.ctta.runtime.config.SettingsSchema.builder("ADWIN (Bifet and Gavaldà, 2007): adaptive windowing on a number in [0, 1]")
                .add(io.ctta.runtime.config.Setting.number("delta", d.delta(), "confidence δ: smaller means fewer false alarms and slower detection")
                        .where(v -> v > 0 && v < 1, "a number in (0, 1)"))
                .add(io.ctta.runtime.config.Setting.integer("clock", d.clock(), 1, Integer.MAX_VALUE, "check for a cut every this many inputs"))
                .add(io.ctta.runtime.config.Setting.integer("max-buckets", d.maxBuckets(), 1, Integer.MAX_VALUE, "buckets of each size kept before the two oldest merge"))
                .add(io.ctta.runtime.config.Setting.integer("min-window-length", d.minWindowLength(), 1, Integer.MAX_VALUE, "both sub-windows hold at least this many inputs"))
                .add(io.ctta.runtime.config.Setting.integer("grace-period", d.gracePeriod(), 0, Integer.MAX_VALUE, "no check until the window is longer than this"))
                .build();
    }
    /** River's defaults: δ = 0.002, clock 32, M = 5, min window 5, grace 10. */
    public static AdwinSettings defaults() {
        return new AdwinSettings(0.002, 32, 5, 5, 10);
    }

    /** Reads {@code c} (the {@code drift.adwin} block); missing keys take the defaults. */
    public static AdwinSettings fromConfig(Config c) {
        return fromConfig(c, PREFIX);
    }

    /**
     * As {@link #fromConfig(Config)}, naming keys under {@code prefix} in messages: the block is read
     * through {@link #SCHEMA} (unknown keys, types and ranges), then the rules that span settings.
     */
    public static AdwinSettings fromConfig(Config c, String prefix) {
        SettingValues v = SettingsReader.read(c, SCHEMA, prefix);
        return new AdwinSettings(v.get("delta", Double.class), v.get("clock", Integer.class), v.get("max-buckets", Integer.class),
                v.get("min-window-length", Integer.class), v.get("grace-period", Integer.class));
    }

    Map<String, Double> asScalars() {
        return Map.of("delta", delta, "clock", (double) clock, "max-buckets", (double) maxBuckets,
                "min-window-length", (double) minWindowLength, "grace-period", (double) gracePeriod);
    }
}
