package io.ctta.benchmarks.continual;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named protocols of {@code ctta bench continual}: the defaults they set (explicit options still
 * win) and, per stream, the settings of each learner.
 *
 * <p>{@code upgd-paper} is the protocol of Elsayed and Mahmood, "Addressing Loss of Plasticity and
 * Catastrophic Forgetting in Continual Learning" (ICLR 2024): the fully connected ReLU network
 * 784-300-150-10 with PyTorch's default initialisation, one sample per step, 2 500 samples per
 * task, and per learner the hyper-parameters the authors' repository (mohmdelsayed/upgd) uses for
 * the paper's diagnostic-statistics runs: those of label-permuted EMNIST for the label-permuted
 * stream, those of input-permuted MNIST for the input-permuted one (the paper has no
 * Fashion-MNIST stream). {@code sgd+spectral} is not in the paper (spectral regularisation is
 * Lewandowski et al., 2024): it gets SGD's values and our default strength ρ = 1e-3, chosen by us.
 * See docs/continual-benchmark.md.
 */
public enum ContinualPreset {

    /** No preset: the scaled-down defaults (built-in CNN, batches of 16) and the strategies' own settings. */
    NONE("none", "builtin-cnn", List.of(StreamKind.LABEL_PERMUTED), 100, 256, 16,
            List.of("sgd", "adam", "upgd", "sgd+spectral"), Map.of(), Map.of()),

    /** The UPGD paper's protocol on Fashion-MNIST. */
    UPGD_PAPER("upgd-paper", "mlp:784-300-150-10", List.of(StreamKind.LABEL_PERMUTED, StreamKind.INPUT_PERMUTED), 24,
            2500, 1, List.of("sgd", "adam", "upgd", "upgd-nonprotecting", "sgd+spectral"),
            // Label-permuted EMNIST (statistics_output_permuted_emnist.py of the reference code).
            Map.of("sgd", "lr = 0.01, weight-decay = 1e-4",
                    "adam", "lr = 1e-4, weight-decay = 0.1, beta1 = 0, beta2 = 0.9999, epsilon = 1e-8",
                    "upgd", "lr = 0.01, beta-utility = 0.9, sigma = 0.001, weight-decay = 0, utility-max = raw-trace",
                    "upgd-nonprotecting", "lr = 0.01, beta-utility = 0.9999, sigma = 0.01, weight-decay = 0.001,"
                            + " utility-max = raw-trace",
                    "sgd+spectral", "lr = 0.01, weight-decay = 1e-4, spectral { rho = 1e-3 }"),
            // Input-permuted MNIST (statistics_input_permuted_mnist.py of the reference code).
            Map.of("sgd", "lr = 1e-3, weight-decay = 1e-3",
                    "adam", "lr = 1e-4, weight-decay = 0, beta1 = 0, beta2 = 0.99, epsilon = 1e-8",
                    "upgd", "lr = 0.01, beta-utility = 0.9999, sigma = 0.1, weight-decay = 0.01, utility-max = raw-trace",
                    "upgd-nonprotecting", "lr = 1e-3, beta-utility = 0.9, sigma = 0.1, weight-decay = 0.01,"
                            + " utility-max = raw-trace",
                    "sgd+spectral", "lr = 1e-3, weight-decay = 1e-3, spectral { rho = 1e-3 }"));

    /** The learner label that runs {@code upgd} in its non-protecting form (the paper's ablation). */
    public static final String UPGD_NONPROTECTING = "upgd-nonprotecting";

    private final String optionName;
    private final String model;
    private final List<StreamKind> streams;
    private final int tasks;
    private final int taskLength;
    private final int batch;
    private final List<String> strategies;
    private final Map<String, String> labelPermuted;
    private final Map<String, String> inputPermuted;

    ContinualPreset(String optionName, String model, List<StreamKind> streams, int tasks, int taskLength, int batch,
            List<String> strategies, Map<String, String> labelPermuted, Map<String, String> inputPermuted) {
        this.optionName = optionName;
        this.model = model;
        this.streams = streams;
        this.tasks = tasks;
        this.taskLength = taskLength;
        this.batch = batch;
        this.strategies = strategies;
        this.labelPermuted = labelPermuted;
        this.inputPermuted = inputPermuted;
    }

    /**
     * Parses a preset name ({@code none}, {@code upgd-paper}).
     *
     * @throws IllegalArgumentException naming the known presets
     */
    public static ContinualPreset parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ContinualPreset p : values()) {
            if (p.optionName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--preset must be none or upgd-paper, got '" + name + "'");
    }

    /** The option name: {@code upgd-paper}. */
    public String optionName() {
        return optionName;
    }

    /** The model kind it runs by default. */
    public String model() {
        return model;
    }

    /** The streams it runs by default. */
    public List<StreamKind> streams() {
        return streams;
    }

    /** Tasks by default. */
    public int tasks() {
        return tasks;
    }

    /** Samples per task by default. */
    public int taskLength() {
        return taskLength;
    }

    /** Samples per step by default. */
    public int batch() {
        return batch;
    }

    /** The learner labels it runs by default. */
    public List<String> strategies() {
        return strategies;
    }

    /**
     * The plan of learner {@code label} on {@code stream}: the preset's settings for it, overridden
     * key by key by {@code overrides} (the user's block for that label). {@code upgd-nonprotecting}
     * is {@code upgd} with {@code form = non-protecting}; any other label is a registered strategy.
     */
    public StrategyPlan plan(StreamKind stream, String label, Config overrides) {
        Map<String, String> byLabel = stream == StreamKind.LABEL_PERMUTED ? labelPermuted : inputPermuted;
        Config preset = ConfigFactory.parseString(byLabel.getOrDefault(label, ""));
        Config settings = overrides.withFallback(preset);
        if (label.equals(UPGD_NONPROTECTING)) {
            return new StrategyPlan(label, "upgd", settings.withFallback(ConfigFactory.parseString("form = non-protecting")));
        }
        return new StrategyPlan(label, label, settings);
    }

    @Override
    public String toString() {
        return optionName;
    }
}
