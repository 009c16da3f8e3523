package io.ctta.adapters.ecotta;

import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.config.Setting;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.ctta.adapters.support.SgdAdamSettings;
import io.ctta.adapters.support.Settings;
import java.util.List;
import java.util.Locale;

/**
 * Settings of {@code ecotta} ({@code strategies.ecotta}); defaults follow the paper and its community
 * re-implementation (the CIFAR recipe at batch 64) except the test-time learning rate (see docs/strategies/ecotta.md). Every value is validated once, at creation; messages name the key,
 * e.g. {@code strategies.ecotta.lambda must be >= 0, got -1.0}.
 *
 * @param optimizer test-time optimizer, {@code sgd} (default) or {@code adam}
 * @param lr test-time learning rate, default 5e-4 (the CIFAR recipe's 5e-3 drifts on long streams here)
 * @param momentum SGD momentum, default 0.9
 * @param nesterov SGD Nesterov momentum, default false
 * @param beta1 Adam β1, default 0.9
 * @param beta2 Adam β2, default 0.999
 * @param epsilon Adam ε, default 1e-8
 * @param entropyFactor the entropy filter keeps samples with {@code H < entropyFactor · ln C},
 *     default 0.4 (EATA's margin)
 * @param lambda weight λ of the self-distilled regulariser, default 0.5
 * @param partitions stage boundaries {@code [b0, b1, ..., bK]}: the stem is stages {@code 1..b0},
 *     partition {@code k} is stages {@code b(k-1)+1..bk}, the head the rest (the built-in CNN's
 *     stages are its layers {@code 01Conv2d} ... {@code 12}; a TorchScript module's are its
 *     {@code stage1..stageN} methods); empty (the default) for the model's default, see
 *     {@link EcottaNetwork#defaultPartitions}
 * @param warmupEpochs passes over the source data in the warm-up, default 10
 * @param warmupMaxSteps upper bound on warm-up steps, 0 (default) for no bound
 * @param warmupBatchSize warm-up minibatch size, default 64
 * @param warmupLr warm-up SGD learning rate, default 5e-2
 * @param warmupMomentum warm-up SGD momentum, default 0.9
 * @param warmupAugment apply the community recipe's mild augmentation in the warm-up, default true
 * @param cacheDir directory for warmed-up meta networks; empty (default) disables the cache
 */
public record EcottaSettings(String optimizer, double lr, double momentum, boolean nesterov, double beta1,
        double beta2, double epsilon, double entropyFactor, double lambda, List<Integer> partitions,
        int warmupEpochs, long warmupMaxSteps, int warmupBatchSize, double warmupLr, double warmupMomentum,
        boolean warmupAugment, String cacheDir) {

    /** The key prefix users write. */
    public static final String PREFIX = "strategies.ecotta";

    public EcottaSettings {
        partitions = List.copyOf(partitions);
    }


    /** The declared settings; defaults from {@link #defaults()}. */
    public static final SettingsSchema SCHEMA = schema();

    private static SettingsSchema schema() {
        EcottaSettings d = defaults();
        SettingsSchema.Builder b = io.ctta.adapters.support.OptimizerSchema.sgdAdam(
                SettingsSchema.builder("EcoTTA (Song et al., CVPR 2023): meta networks on a frozen source model"), d.optimizerSettings());
        return b.add(Setting.number("entropy-factor", d.entropyFactor(), "the entropy filter keeps samples with H < this x ln C").checkedBy("a number > 0"))
                .add(Setting.number("lambda", d.lambda(), "weight of the self-distilled regulariser").checkedBy("a number >= 0"))
                .add(Setting.list("partitions", java.util.List.copyOf(d.partitions()), "stage boundaries [stem end, partition 1 end, ...]; [] for the model's default"))
                .add(Setting.string("cache-dir", d.cacheDir(), "directory for warmed-up meta networks; empty: no cache"))
                .child("warmup", SettingsSchema.builder("the warm-up of the meta networks on source data")
                        .add(Setting.integer("epochs", d.warmupEpochs(), 1, Integer.MAX_VALUE, "passes over the source data"))
                        .add(Setting.longInteger("max-steps", d.warmupMaxSteps(), 0, Long.MAX_VALUE, "upper bound on warm-up steps; 0: none"))
                        .add(Setting.integer("batch-size", d.warmupBatchSize(), 2, Integer.MAX_VALUE, "warm-up minibatch size"))
                        .add(Setting.number("lr", d.warmupLr(), "warm-up SGD learning rate").checkedBy("a number > 0"))
                        .add(Setting.number("momentum", d.warmupMomentum(), "warm-up SGD momentum").checkedBy("a number in [0, 1)"))
                        .add(Setting.bool("augment", d.warmupAugment(), "mild augmentation in the warm-up"))
                        .build())
                .build();
    }
    /** The defaults. */
    public static EcottaSettings defaults() {
        return new EcottaSettings("sgd", 5e-4, 0.9, false, 0.9, 0.999, 1e-8, 0.4, 0.5, List.of(),
                10, 0, 64, 5e-2, 0.9, true, "");
    }

    /** Reads and validates {@code c}; missing keys take the defaults; messages name the key. */
    public static EcottaSettings fromConfig(Config c) {
        Settings s = new Settings(c, PREFIX);
        EcottaSettings d = defaults();
        SgdAdamSettings o = SgdAdamSettings.read(s, d.optimizerSettings());
        // Stricter than the shared rule: Nesterov without momentum is refused for Adam too.
        s.require(!(o.nesterov() && o.momentum() == 0), "nesterov", "false when " + PREFIX + ".momentum is 0",
                o.nesterov());
        double factor = s.getDouble("entropy-factor", d.entropyFactor());
        s.require(factor > 0 && Double.isFinite(factor), "entropy-factor", "> 0", factor);
        double lambda = s.getDouble("lambda", d.lambda());
        s.require(lambda >= 0 && Double.isFinite(lambda), "lambda", ">= 0", lambda);
        List<Integer> partitions = intList(c, s, "partitions", d.partitions());
        s.require(partitions.isEmpty() || partitions.size() >= 2, "partitions",
                "a list of at least two stage boundaries [stem end, partition 1 end, ...], or [] for the model's default",
                partitions);
        for (int i = 0; i < partitions.size(); i++) {
            s.require(partitions.get(i) >= 0 && (i == 0 || partitions.get(i) > partitions.get(i - 1)), "partitions",
                    "strictly increasing non-negative stage numbers", partitions);
        }
        int epochs = s.getInt("warmup.epochs", d.warmupEpochs());
        s.require(epochs >= 1, "warmup.epochs", ">= 1", epochs);
        double rawMaxSteps = s.getDouble("warmup.max-steps", d.warmupMaxSteps());
        s.require(rawMaxSteps == Math.rint(rawMaxSteps) && Math.abs(rawMaxSteps) < 1e15, "warmup.max-steps",
                "an integer", rawMaxSteps);
        long maxSteps = (long) rawMaxSteps;
        s.require(maxSteps >= 0, "warmup.max-steps", ">= 0 (0 = no bound)", maxSteps);
        int batch = s.getInt("warmup.batch-size", d.warmupBatchSize());
        s.require(batch >= 2, "warmup.batch-size", ">= 2 (BatchNorm needs batch statistics)", batch);
        double wlr = s.getDouble("warmup.lr", d.warmupLr());
        s.require(wlr > 0 && Double.isFinite(wlr), "warmup.lr", "> 0", wlr);
        double wm = s.getDouble("warmup.momentum", d.warmupMomentum());
        s.require(wm >= 0 && wm < 1, "warmup.momentum", "in [0, 1)", wm);
        boolean augment = s.getBoolean("warmup.augment", d.warmupAugment());
        String cacheDir = s.getString("cache-dir", d.cacheDir()).trim();
        return new EcottaSettings(o.optimizer(), o.lr(), o.momentum(), o.nesterov(), o.beta1(), o.beta2(), o.epsilon(),
                factor, lambda, partitions, epochs, maxSteps, batch, wlr, wm, augment, cacheDir);
    }

    /** The test-time optimizer part. */
    public SgdAdamSettings optimizerSettings() {
        return new SgdAdamSettings(optimizer, lr, beta1, beta2, epsilon, momentum, nesterov);
    }

    /** The entropy threshold {@code H0 = entropyFactor · ln C} for {@code numClasses} classes. */
    public double entropyThreshold(int numClasses) {
        return entropyFactor * Math.log(numClasses);
    }

    /** The warm-up settings with the partitions in use, as one stable string: part of the cache key. */
    String warmupKey(List<Integer> partitions) {
        return String.format(Locale.ROOT, "partitions=%s;epochs=%d;maxSteps=%d;batch=%d;lr=%s;momentum=%s;augment=%b",
                partitions, warmupEpochs, warmupMaxSteps, warmupBatchSize, Double.toString(warmupLr),
                Double.toString(warmupMomentum), warmupAugment);
    }

    private static List<Integer> intList(Config c, Settings s, String key, List<Integer> def) {
        if (!c.hasPath(key)) {
            return def;
        }
        try {
            return List.copyOf(c.getIntList(key));
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(s.problem(key, c.getValue(key).unwrapped(),
                    "a list of integers (stage boundaries, e.g. [0, 4, 8, 11])"), e);
        }
    }
}
