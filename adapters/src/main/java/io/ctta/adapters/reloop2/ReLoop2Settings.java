package io.ctta.adapters.reloop2;

import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.config.Setting;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.ctta.adapters.support.Settings;
import java.util.Objects;

/**
 * Settings of {@code reloop2} ({@code strategies.reloop2}); defaults follow the paper (Zhu et al., KDD 2023)
 * except where docs/strategies/reloop2.md says otherwise.
 *
 * @param base the wrapped strategy's registered name, default {@code source}
 * @param baseSettings the wrapped strategy's own settings ({@code base-settings}), default empty
 * @param memory {@code sketch} (the paper's LSH sketch, default) or {@code knn} (exact ring buffer)
 * @param k K: sketch arrays, or neighbours read from the knn buffer; default 180
 * @param lambda λ, the compensation strength in [0, 1]; default 0.4; 0 is the base model
 * @param gamma γ in [0, 1], the mix of the two error measures; default 1 (the paper's)
 * @param tau τ > 0, the attention temperature; default 0.1
 * @param key what keys the memory: {@code hidden} (the base model's last hidden layer, default),
 *     {@code input} (the raw features) or {@code output} (the base model's probabilities)
 * @param sketchBits L, bits per sketch array (1..24); default 12
 * @param sketchSimilarity {@code count} (default) or {@code cosine} (also stores Σh per bucket)
 * @param knnCapacity samples the knn ring buffer keeps; default 10,000
 * @param filterThreshold σ: write only samples whose error exceeds it; default 0 (write all)
 * @param sampleRate the fraction of samples written (random down-sampling), in (0, 1]; default 1
 * @param resetAfterBaseUpdates reset the memory once the base model has applied this many updates
 *     since the last reset; 0 never; default 1 (every update: stored base predictions belong to one version of the base model)
 * @param resetPeriod reset the memory after this many writes; 0 never (default)
 * @param decay ρ in (0, 1]: every write epoch ({@code learn} call) earlier writes count ρ times
 *     less; default 1 (no decay)
 */
public record ReLoop2Settings(String base, Config baseSettings, String memory, int k, double lambda, double gamma,
        double tau, String key, int sketchBits, LshSketch.Similarity sketchSimilarity, int knnCapacity,
        double filterThreshold, double sampleRate, long resetAfterBaseUpdates, long resetPeriod, double decay) {

    /** The prefix users write. */
    public static final String PREFIX = "strategies.reloop2";

    public ReLoop2Settings {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(baseSettings, "baseSettings");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sketchSimilarity, "sketchSimilarity");
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final SettingsSchema SCHEMA = schema();

    private static SettingsSchema schema() {
        ReLoop2Settings d = defaults();
        return SettingsSchema.builder("ReLoop2: an error-compensation memory around a base strategy")
                .add(Setting.string("base", d.base(), "the wrapped strategy (another registered one)"))
                .add(Setting.block("base-settings", "the wrapped strategy's settings"))
                .add(Setting.oneOf("memory", d.memory(), "the error memory", "sketch", "knn"))
                .add(Setting.integer("k", d.k(), 1, 1 << 20, "K: sketch arrays, or neighbours read from the knn buffer"))
                .add(Setting.number("lambda", d.lambda(), "λ, the compensation strength; 0 is the base model").checkedBy("a number in [0, 1]"))
                .add(Setting.number("gamma", d.gamma(), "γ, the mix of the two error measures").checkedBy("a number in [0, 1]"))
                .add(Setting.number("tau", d.tau(), "τ, the attention temperature").checkedBy("a number > 0"))
                .add(Setting.oneOf("key", d.key(), "what keys the memory: the base model's last hidden layer, the raw features or its probabilities", "hidden", "input", "output"))
                .child("sketch", SettingsSchema.builder("the LSH sketch memory (memory = sketch)")
                        .add(Setting.integer("bits", d.sketchBits(), 1, 24, "L, bits per sketch array"))
                        .add(Setting.oneOf("similarity", "count", "count, or cosine (also stores the sum of keys per bucket)", "count", "cosine"))
                        .build())
                .child("knn", SettingsSchema.builder("the exact ring buffer (memory = knn)")
                        .add(Setting.integer("capacity", d.knnCapacity(), 1, 10_000_000, "samples the knn ring buffer keeps"))
                        .build())
                .child("filter", SettingsSchema.builder("which samples are written")
                        .add(Setting.number("threshold", d.filterThreshold(), "σ: write only samples whose error exceeds it (0: all)").checkedBy("a number in [0, 1)"))
                        .add(Setting.number("sample-rate", d.sampleRate(), "the fraction of samples written (random down-sampling)").checkedBy("a number in (0, 1]"))
                        .build())
                .child("refresh", SettingsSchema.builder("when the memory is reset or decays")
                        .add(Setting.longInteger("base-updates", d.resetAfterBaseUpdates(), 0, Integer.MAX_VALUE, "reset the memory once the base model applied this many updates since the last reset; 0: never"))
                        .add(Setting.longInteger("period", d.resetPeriod(), 0, Integer.MAX_VALUE, "reset the memory after this many writes; 0: never"))
                        .add(Setting.number("decay", d.decay(), "ρ: every write epoch, earlier writes count ρ times less (1: no decay)").checkedBy("a number in (0, 1]"))
                        .build())
                .build();
    }
    /** The defaults. */
    public static ReLoop2Settings defaults() {
        return new ReLoop2Settings("source", ConfigFactory.empty(), "sketch", 180, 0.4, 1.0, 0.1, "hidden", 12,
                LshSketch.Similarity.COUNT, 10_000, 0.0, 1.0, 1, 0, 1.0);
    }

    /** Reads and validates {@code c}; missing keys take the defaults; messages name the key. */
    public static ReLoop2Settings fromConfig(Config c) {
        Settings s = new Settings(c, PREFIX);
        ReLoop2Settings d = defaults();
        String base = s.getString("base", d.base()).trim();
        s.require(!base.isEmpty() && !base.equals(ReLoop2Strategy.NAME), "base",
                "the name of another registered strategy (source, sgd, adam, ...)", "\"" + base + "\"");
        Config baseSettings = d.baseSettings();
        if (c.hasPath("base-settings")) {
            try {
                baseSettings = c.getConfig("base-settings");
            } catch (ConfigException.WrongType e) {
                throw new IllegalArgumentException(s.problem("base-settings", c.getValue("base-settings").unwrapped(),
                        "an object { ... }"), e);
            }
        }
        String memory = s.oneOf("memory", d.memory(), "sketch", "knn");
        int k = s.getInt("k", d.k(), 1, 1 << 20);
        double lambda = s.getDouble("lambda", d.lambda());
        s.require(lambda >= 0 && lambda <= 1, "lambda", "in [0, 1]", lambda);
        double gamma = s.getDouble("gamma", d.gamma());
        s.require(gamma >= 0 && gamma <= 1, "gamma", "in [0, 1]", gamma);
        double tau = s.getDouble("tau", d.tau());
        s.require(tau > 0 && Double.isFinite(tau), "tau", "> 0", tau);
        String key = s.oneOf("key", d.key(), "hidden", "input", "output");
        int bits = s.getInt("sketch.bits", d.sketchBits(), 1, 24);
        String sim = s.oneOf("sketch.similarity", "count", "count", "cosine");
        int capacity = s.getInt("knn.capacity", d.knnCapacity(), 1, 10_000_000);
        double threshold = s.getDouble("filter.threshold", d.filterThreshold());
        s.require(threshold >= 0 && threshold < 1, "filter.threshold", "in [0, 1)", threshold);
        double rate = s.getDouble("filter.sample-rate", d.sampleRate());
        s.require(rate > 0 && rate <= 1, "filter.sample-rate", "in (0, 1]", rate);
        long baseUpdates = s.getInt( "refresh.base-updates", (int) d.resetAfterBaseUpdates(), 0, Integer.MAX_VALUE,
                "an integer >= 0 (0: never)");
        long period = s.getInt( "refresh.period", (int) d.resetPeriod(), 0, Integer.MAX_VALUE,
                "an integer >= 0 (0: never)");
        double decay = s.getDouble("refresh.decay", d.decay());
        s.require(decay > 0 && decay <= 1, "refresh.decay", "in (0, 1]", decay);
        return new ReLoop2Settings(base, baseSettings, memory, k, lambda, gamma, tau, key, bits,
                sim.equals("cosine") ? LshSketch.Similarity.COSINE : LshSketch.Similarity.COUNT, capacity, threshold,
                rate, baseUpdates, period, decay);
    }
}
