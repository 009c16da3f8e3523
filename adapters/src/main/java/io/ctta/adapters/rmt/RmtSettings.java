package io.ctta.adapters.rmt;

import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.config.Setting;
import com.typesafe.config.Config;
import io.ctta.adapters.support.SgdAdamSettings;
import io.ctta.adapters.support.Settings;

/**
 * Settings of {@code rmt} ({@code strategies.rmt}); defaults follow the reference code
 * ({@code mariodoebler/test-time-adaptation}: {@code conf.py}, {@code cfgs/<dataset>/rmt.yaml}). The optimizer default is the reference's setup
 * for batch 64 (ImageNet-C: SGD, lr 0.01, momentum 0.9, Nesterov) rather than its CIFAR setup (Adam
 * 1e-3 at batch 200), which was unstable on long streams at batch 64 here; see
 * docs/strategies/rmt.md.
 *
 * @param sourceReplay the with-source variant (default): warm-up on source images and a labelled
 *     source batch replayed with every test batch. {@code false} is the source-free variant: no
 *     replay, no warm-up unless {@code warmup-samples} is set explicitly
 * @param optimizer {@code sgd} (default) or {@code adam}
 * @param lr learning rate of student and projector, default 0.01 (use 1e-3 with Adam)
 * @param beta1 Adam β1, default 0.9
 * @param beta2 Adam β2, default 0.999
 * @param epsilon Adam ε, default 1e-8
 * @param momentum SGD momentum, default 0.9
 * @param nesterov SGD Nesterov momentum, default true (reference ImageNet setup)
 * @param emaMomentum teacher EMA momentum m in {@code θ_t ← m·θ_t + (1−m)·θ_s}, default 0.999
 * @param lambdaSt weight of the self-training (symmetric cross-entropy) loss, default 1
 * @param lambdaCont weight of the contrastive loss, default 1; 0 switches off projector and
 *     prototypes (then the source-free variant needs no source data at all)
 * @param lambdaSrc weight of the source-replay cross-entropy: default 1 with source replay, always
 *     0 without
 * @param temperature contrastive temperature τ, default 0.1
 * @param projectionDim hidden and output width of the projector MLP, default 128
 * @param warmupSamples source samples seen by the warm-up ({@code ⌊samples / source-batch-size⌋}
 *     steps); default 50 000 with source replay, 0 without
 * @param sourceBatchSize batch size of warm-up and prototype batches, default 64 (the reference
 *     uses the test batch size; replay batches always have the test batch's size)
 * @param prototypeSamples at most this many source samples form the class prototypes, default
 *     100 000
 * @param cacheDir directory for the cached warm-up result (student, teacher, projector,
 *     prototypes, optimizer state); empty (default) = no cache
 */
public record RmtSettings(boolean sourceReplay, String optimizer, double lr, double beta1, double beta2,
        double epsilon, double momentum, boolean nesterov, double emaMomentum, double lambdaSt,
        double lambdaCont, double lambdaSrc, double temperature, int projectionDim, int warmupSamples,
        int sourceBatchSize, int prototypeSamples, String cacheDir) {

    /** The settings prefix users write. */
    public static final String PREFIX = "strategies.rmt";


    /** The declared settings; defaults from {@link #defaults()} (the with-source variant). */
    public static final SettingsSchema SCHEMA = schema();

    private static SettingsSchema schema() {
        RmtSettings d = defaults();
        SettingsSchema.Builder b = SettingsSchema.builder("RMT (Döbler et al., CVPR 2023): robust mean teacher")
                .add(Setting.bool("source-replay", d.sourceReplay(), "the with-source variant: warm-up and a replayed source batch per test batch"));
        return io.ctta.adapters.support.OptimizerSchema.sgdAdam(b, d.optimizerSettings())
                .add(Setting.number("ema-momentum", d.emaMomentum(), "teacher EMA momentum").checkedBy("a number in [0, 1]"))
                .add(Setting.number("lambda-st", d.lambdaSt(), "weight of the self-training loss").checkedBy("a number >= 0"))
                .add(Setting.number("lambda-cont", d.lambdaCont(), "weight of the contrastive loss; 0 switches off projector and prototypes").checkedBy("a number >= 0"))
                .add(Setting.number("lambda-src", d.lambdaSrc(), "weight of the source-replay loss (0 without source replay)").checkedBy("> 0 with source-replay, else 0")
                        .defaultDependsOn("0 when source-replay = false"))
                .add(Setting.number("temperature", d.temperature(), "contrastive temperature τ").checkedBy("a number > 0"))
                .add(Setting.integer("projection-dim", d.projectionDim(), 1, Integer.MAX_VALUE, "width of the projector MLP"))
                .add(Setting.integer("warmup-samples", d.warmupSamples(), 0, Integer.MAX_VALUE, "source samples seen by the warm-up")
                        .defaultDependsOn("0 when source-replay = false"))
                .add(Setting.integer("source-batch-size", d.sourceBatchSize(), 2, Integer.MAX_VALUE, "batch size of warm-up and prototype batches"))
                .add(Setting.integer("prototype-samples", d.prototypeSamples(), 1, Integer.MAX_VALUE, "at most this many source samples form the class prototypes"))
                .add(Setting.string("cache-dir", d.cacheDir(), "directory for the cached warm-up result; empty: no cache"))
                .build();
    }
    /** The defaults (the with-source variant). */
    public static RmtSettings defaults() {
        return new RmtSettings(true, "sgd", 0.01, 0.9, 0.999, 1e-8, 0.9, true, 0.999, 1.0, 1.0, 1.0, 0.1, 128,
                50_000, 64, 100_000, "");
    }

    /** Reads and validates {@code c}; missing keys take the defaults; messages name the key. */
    public static RmtSettings fromConfig(Config c) {
        Settings s = new Settings(c, PREFIX);
        RmtSettings d = defaults();
        boolean replay = s.getBoolean("source-replay", d.sourceReplay());
        SgdAdamSettings o = SgdAdamSettings.read(s, d.optimizerSettings());
        double ema = s.getDouble("ema-momentum", d.emaMomentum());
        s.require(ema >= 0 && ema <= 1, "ema-momentum", "in [0, 1]", ema);
        double lambdaSt = s.getDouble("lambda-st", d.lambdaSt());
        s.require(lambdaSt >= 0 && Double.isFinite(lambdaSt), "lambda-st", ">= 0", lambdaSt);
        double lambdaCont = s.getDouble("lambda-cont", d.lambdaCont());
        s.require(lambdaCont >= 0 && Double.isFinite(lambdaCont), "lambda-cont", ">= 0", lambdaCont);
        double lambdaSrc;
        if (replay) {
            lambdaSrc = s.getDouble("lambda-src", d.lambdaSrc());
            s.require(lambdaSrc > 0 && Double.isFinite(lambdaSrc), "lambda-src",
                    "> 0 when " + PREFIX + ".source-replay is true (set source-replay = false for the source-free"
                            + " variant)", lambdaSrc);
        } else {
            lambdaSrc = s.getDouble("lambda-src", 0);
            s.require(lambdaSrc == 0, "lambda-src", "0 when " + PREFIX + ".source-replay is false", lambdaSrc);
        }
        double temperature = s.getDouble("temperature", d.temperature());
        s.require(temperature > 0 && Double.isFinite(temperature), "temperature", "> 0", temperature);
        int projectionDim = s.getInt("projection-dim", d.projectionDim(), 1, Integer.MAX_VALUE);
        int warmup = s.getInt("warmup-samples", replay ? d.warmupSamples() : 0, 0, Integer.MAX_VALUE);
        int sourceBatch = s.getInt("source-batch-size", d.sourceBatchSize(), 2, Integer.MAX_VALUE);
        int protoSamples = s.getInt("prototype-samples", d.prototypeSamples(), 1, Integer.MAX_VALUE);
        String cacheDir = s.getString("cache-dir", d.cacheDir()).trim();
        return new RmtSettings(replay, o.optimizer(), o.lr(), o.beta1(), o.beta2(), o.epsilon(), o.momentum(),
                o.nesterov(), ema, lambdaSt, lambdaCont, lambdaSrc, temperature, projectionDim, warmup, sourceBatch,
                protoSamples, cacheDir);
    }

    /** The optimizer part (student and projector use the same settings). */
    public SgdAdamSettings optimizerSettings() {
        return new SgdAdamSettings(optimizer, lr, beta1, beta2, epsilon, momentum, nesterov);
    }

    /** Number of warm-up steps: {@code ⌊warmupSamples / sourceBatchSize⌋} (reference). */
    public int warmupSteps() {
        return warmupSamples / sourceBatchSize;
    }

    /** Whether the contrastive term (projector and source prototypes) is in use. */
    public boolean usesPrototypes() {
        return lambdaCont > 0;
    }

    /**
     * The settings that determine the warm-up result, in a fixed textual form (part of the cache
     * key). Loss weights and the temperature are not in it: they do not act during the warm-up.
     */
    String warmupIdentity() {
        return "optimizer=" + optimizer + ",lr=" + lr + ",beta1=" + beta1 + ",beta2=" + beta2 + ",epsilon=" + epsilon
                + ",momentum=" + momentum + ",nesterov=" + nesterov + ",ema=" + emaMomentum + ",projection-dim="
                + projectionDim + ",warmup-samples=" + warmupSamples + ",source-batch-size=" + sourceBatchSize
                + ",prototype-samples=" + prototypeSamples + ",prototypes=" + usesPrototypes();
    }
}
