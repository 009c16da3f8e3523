package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import io.ctta.runtime.config.SettingValues;
import java.util.Map;

/**
 * Settings of {@link MmdDriftDetector} ({@code drift.mmd}); p-value and permutations are
 * alibi-detect's {@code MMDDrift} defaults, the window sizes are ours (the test costs
 * O((n + m)² · (d + permutations)) per window, so windows stay in the hundreds).
 *
 * @param pValue significance level α; default 0.05
 * @param permutations random re-splits of the pooled sample that calibrate the threshold; default
 *     100; at least ⌈1/α⌉ so that a p-value below α is reachable
 * @param referenceSize vectors in the reference window; default 200
 * @param windowSize vectors in each test window; default 100
 * @param consecutive rejections in a row needed for a drift; default 1
 */
public record MmdSettings(double pValue, int permutations, int referenceSize, int windowSize, int consecutive) {

    /** The key prefix used in messages when none is given. */
    public static final String PREFIX = "drift.mmd";

    /** Validates the values. */
    public MmdSettings {
        SettingsReader.requireStatic(pValue > 0 && pValue < 1, PREFIX, "p-value", "in (0, 1)", pValue);
        SettingsReader.requireStatic(permutations >= minPermutations(pValue), PREFIX, "permutations",
                ">= " + minPermutations(pValue) + " so that p-value " + SettingsReader.format(pValue) + " can be reached", permutations);
        SettingsReader.requireStatic(referenceSize >= 2, PREFIX, "reference-size", ">= 2", referenceSize);
        SettingsReader.requireStatic(windowSize >= 2, PREFIX, "window-size", ">= 2", windowSize);
        SettingsReader.requireStatic(consecutive >= 1, PREFIX, "consecutive", ">= 1", consecutive);
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final io.ctta.runtime.config.SettingsSchema SCHEMA = schema();

    private static io.ctta.runtime.config.SettingsSchema schema() {
        MmdSettings d = defaults();
        return io.ctta.runtime.config.SettingsSchema.builder("maximum mean discrepancy two-sample test (Gretton et al., 2012), permutation-calibrated")
                .add(io.ctta.runtime.config.Setting.number("p-value", d.pValue(), "significance level").where(v -> v > 0 && v < 1, "a number in (0, 1)"))
                .add(io.ctta.runtime.config.Setting.integer("permutations", d.permutations(), 1, Integer.MAX_VALUE, "random re-splits that calibrate the threshold; at least 1/p-value - 1"))
                .add(io.ctta.runtime.config.Setting.integer("reference-size", d.referenceSize(), 2, Integer.MAX_VALUE, "vectors in the reference window"))
                .add(io.ctta.runtime.config.Setting.integer("window-size", d.windowSize(), 2, Integer.MAX_VALUE, "vectors in each test window"))
                .add(io.ctta.runtime.config.Setting.integer("consecutive", d.consecutive(), 1, Integer.MAX_VALUE, "rejections in a row needed for a drift"))
                .build();
    }
    /** α = 0.05, 100 permutations, reference 200, window 100, 1 rejection. */
    public static MmdSettings defaults() {
        return new MmdSettings(0.05, 100, 200, 100, 1);
    }

    /** Reads {@code c} (the {@code drift.mmd} block); missing keys take the defaults. */
    public static MmdSettings fromConfig(Config c) {
        return fromConfig(c, PREFIX);
    }

    /**
     * As {@link #fromConfig(Config)}, naming keys under {@code prefix} in messages: the block is read
     * through {@link #SCHEMA} (unknown keys, types and ranges), then the rules that span settings.
     */
    public static MmdSettings fromConfig(Config c, String prefix) {
        SettingValues v = SettingsReader.read(c, SCHEMA, prefix);
        double p = v.get("p-value", Double.class);
        int perms = v.get("permutations", Integer.class);
        SettingsReader.require(perms >= minPermutations(p), prefix, "permutations",
                ">= " + minPermutations(p) + " so that " + prefix + ".p-value " + SettingsReader.format(p) + " can be reached", perms);
        return new MmdSettings(p, perms, v.get("reference-size", Integer.class), v.get("window-size", Integer.class),
                v.get("consecutive", Integer.class));
    }

    /**
     * The fewest permutations P with which p = (1 + c) / (1 + P) can fall below α: α (1 + P) &gt; 1.
     */
    static int minPermutations(double alpha) {
        // computed with the same double arithmetic as the p-value comparison, not by 1/α
        int p = 1;
        while (!(1.0 / (1 + p) < alpha)) {
            p++;
        }
        return p;
    }

    Map<String, Double> asScalars() {
        return Map.of("p-value", pValue, "permutations", (double) permutations, "reference-size", (double) referenceSize,
                "window-size", (double) windowSize, "consecutive", (double) consecutive);
    }
}
