package io.ctta.benchmarks.continual;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The options of {@link ContinualBench}, parsed from {@code --key value} arguments.
 *
 * @param strategies registered strategy names, run one after the other
 * @param stream {@code label} (label-permuted, default) or {@code input} (input-permuted)
 * @param tasks number of tasks (task switches + 1)
 * @param taskLength samples per task
 * @param batch samples per predict/learn call
 * @param seed stream, model and strategy seed
 * @param probeSamples images in the plasticity probe batch (Fashion-MNIST test set)
 * @param probeEvery probe the model after every this many tasks (and after the last)
 * @param samplePlasticity measure the UPGD paper's sample plasticity (one extra eval forward per batch)
 * @param threads libtorch intra-op threads
 * @param settings HOCON with one block per strategy name, e.g. {@code upgd { sigma = 0.01 }}
 * @param data the Fashion-MNIST directory
 * @param out the report directory
 */
public record ContinualBenchOptions(List<String> strategies, String stream, int tasks, int taskLength, int batch,
        long seed, int probeSamples, int probeEvery, boolean samplePlasticity, int threads, String settings, Path data,
        Path out) {

    /** The usage text. */
    public static final String USAGE = String.join("\n",
            "usage: ContinualBench [--strategies sgd,adam,upgd,sgd+spectral] [--stream label|input]",
            "                      [--tasks 100] [--task-length 256] [--batch 16] [--seed 1]",
            "                      [--probe-samples 256] [--probe-every 5] [--sample-plasticity true]",
            "                      [--threads 1] [--settings 'upgd { sigma = 0.01 }'] [--data DIR] [--out DIR]",
            "Runs each strategy prequentially (predict, score, learn) over a permuted Fashion-MNIST stream",
            "and writes report.md, accuracy.png, diagnostics.png and per-task.csv into --out.");

    /** Validates ranges. */
    public ContinualBenchOptions {
        Objects.requireNonNull(strategies, "strategies");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(out, "out");
        strategies = List.copyOf(strategies);
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("--strategies must name at least one strategy");
        }
        if (!stream.equals("label") && !stream.equals("input")) {
            throw new IllegalArgumentException("--stream must be label or input, got '" + stream + "'");
        }
        if (tasks < 2) {
            throw new IllegalArgumentException("--tasks must be >= 2 (at least one switch), got " + tasks);
        }
        if (taskLength < 1 || batch < 1 || probeSamples < 2 || probeEvery < 1 || threads < 1) {
            throw new IllegalArgumentException("--task-length, --batch, --probe-every and --threads must be >= 1 and"
                    + " --probe-samples >= 2");
        }
    }

    /** The defaults: about two to four minutes on two idle cores. */
    public static ContinualBenchOptions defaults() {
        return new ContinualBenchOptions(List.of("sgd", "adam", "upgd", "sgd+spectral"), "label", 100, 256, 16, 1,
                256, 5, true, 1, "", io.ctta.streams.data.FashionMnist.defaultDirectory(),
                Path.of("ctta-continual-report"));
    }

    /**
     * Parses {@code --key value} pairs over the defaults.
     *
     * @throws IllegalArgumentException for an unknown option, a missing value or a bad number
     */
    public static ContinualBenchOptions parse(String[] args) {
        ContinualBenchOptions d = defaults();
        List<String> strategies = new ArrayList<>(d.strategies());
        String stream = d.stream();
        int tasks = d.tasks();
        int taskLength = d.taskLength();
        int batch = d.batch();
        long seed = d.seed();
        int probeSamples = d.probeSamples();
        int probeEvery = d.probeEvery();
        boolean samplePlasticity = d.samplePlasticity();
        int threads = d.threads();
        String settings = d.settings();
        Path data = d.data();
        Path out = d.out();
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (key.equals("--help") || key.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(key + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            try {
                switch (key) {
                    case "--strategies" -> strategies = Arrays.stream(v.split(",")).map(String::trim)
                            .filter(x -> !x.isEmpty()).toList();
                    case "--stream" -> stream = v.toLowerCase(Locale.ROOT);
                    case "--tasks" -> tasks = Integer.parseInt(v);
                    case "--task-length" -> taskLength = Integer.parseInt(v);
                    case "--batch" -> batch = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--probe-samples" -> probeSamples = Integer.parseInt(v);
                    case "--probe-every" -> probeEvery = Integer.parseInt(v);
                    case "--sample-plasticity" -> samplePlasticity = parseBoolean(key, v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--settings" -> settings = v;
                    case "--data" -> data = Path.of(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, got '" + v + "'", e);
            }
        }
        return new ContinualBenchOptions(strategies, stream, tasks, taskLength, batch, seed, probeSamples, probeEvery,
                samplePlasticity, threads, settings, data, out);
    }

    private static boolean parseBoolean(String key, String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }
}
