package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import io.ctta.runtime.config.SettingValues;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of {@link KsDriftDetector} ({@code drift.ks}); p-value and correction are
 * alibi-detect's {@code KSDrift} defaults, the window sizes are ours.
 *
 * @param pValue significance level α of the whole test (after the correction); default 0.05
 * @param correction {@link Correction#BONFERRONI} (default) or {@link Correction#FDR}
 * @param referenceSize vectors in the reference window; default 500
 * @param windowSize vectors in each test window; default 100
 * @param method {@link Method#EXACT} (default) or {@link Method#ASYMPTOTIC} p-values
 * @param consecutive rejections in a row needed for a drift; default 1
 */
public record KsSettings(double pValue, Correction correction, int referenceSize, int windowSize, Method method, int consecutive) {

    /** The key prefix used in messages when none is given. */
    public static final String PREFIX = "drift.ks";

    /** Multiple-testing correction over the d per-feature tests. */
    public enum Correction {
        /** Drift if any p-value is below α / d (controls the family-wise error rate). */
        BONFERRONI,
        /** Benjamini–Hochberg: drift if some k has p_(k) below k α / d (controls the false discovery rate). */
        FDR
    }

    /** How p-values are computed. */
    public enum Method {
        /** The exact null distribution of D for the two sample sizes (lattice paths; O(n · m)). */
        EXACT,
        /** The Kolmogorov distribution Q(sqrt(n m / (n + m)) · D). */
        ASYMPTOTIC
    }

    /** Validates the values. */
    public KsSettings {
        SettingsReader.requireStatic(pValue > 0 && pValue < 1, PREFIX, "p-value", "in (0, 1)", pValue);
        SettingsReader.requireStatic(correction != null, PREFIX, "correction", "one of bonferroni, fdr", correction);
        SettingsReader.requireStatic(referenceSize >= 2, PREFIX, "reference-size", ">= 2", referenceSize);
        SettingsReader.requireStatic(windowSize >= 2, PREFIX, "window-size", ">= 2", windowSize);
        SettingsReader.requireStatic(method != null, PREFIX, "method", "one of exact, asymptotic", method);
        SettingsReader.requireStatic(consecutive >= 1, PREFIX, "consecutive", ">= 1", consecutive);
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final io.ctta.runtime.config.SettingsSchema SCHEMA = schema();

    private static io.ctta.runtime.config.SettingsSchema schema() {
        KsSettings d = defaults();
        return io.ctta.runtime.config.SettingsSchema.builder("Kolmogorov-Smirnov tests per feature, corrected for many features")
                .add(io.ctta.runtime.config.Setting.number("p-value", d.pValue(), "significance level of the whole test").where(v -> v > 0 && v < 1, "a number in (0, 1)"))
                .add(io.ctta.runtime.config.Setting.oneOf("correction", d.correction().name().toLowerCase(java.util.Locale.ROOT), "multiple-test correction", "bonferroni", "fdr"))
                .add(io.ctta.runtime.config.Setting.integer("reference-size", d.referenceSize(), 2, Integer.MAX_VALUE, "vectors in the reference window"))
                .add(io.ctta.runtime.config.Setting.integer("window-size", d.windowSize(), 2, Integer.MAX_VALUE, "vectors in each test window"))
                .add(io.ctta.runtime.config.Setting.oneOf("method", d.method().name().toLowerCase(java.util.Locale.ROOT), "exact or asymptotic p-values", "exact", "asymptotic"))
                .add(io.ctta.runtime.config.Setting.integer("consecutive", d.consecutive(), 1, Integer.MAX_VALUE, "rejections in a row needed for a drift"))
                .build();
    }
    /** α = 0.05, Bonferroni, reference 500, window 100, exact p-values, 1 rejection. */
    public static KsSettings defaults() {
        return new KsSettings(0.05, Correction.BONFERRONI, 500, 100, Method.EXACT, 1);
    }

    /** Reads {@code c} (the {@code drift.ks} block); missing keys take the defaults. */
    public static KsSettings fromConfig(Config c) {
        return fromConfig(c, PREFIX);
    }

    /**
     * As {@link #fromConfig(Config)}, naming keys under {@code prefix} in messages: the block is read
     * through {@link #SCHEMA} (unknown keys, types and ranges), then the rules that span settings.
     */
    public static KsSettings fromConfig(Config c, String prefix) {
        SettingValues v = SettingsReader.read(c, SCHEMA, prefix);
        return new KsSettings(v.get("p-value", Double.class),
                Correction.valueOf(v.get("correction", String.class).toUpperCase(Locale.ROOT)), v.get("reference-size", Integer.class),
                v.get("window-size", Integer.class), Method.valueOf(v.get("method", String.class).toUpperCase(Locale.ROOT)),
                v.get("consecutive", Integer.class));
    }

    Map<String, Double> asScalars() {
        return Map.of("p-value", pValue, "correction", (double) correction.ordinal(), "reference-size", (double) referenceSize,
                "window-size", (double) windowSize, "method", (double) method.ordinal(), "consecutive", (double) consecutive);
    }
}
