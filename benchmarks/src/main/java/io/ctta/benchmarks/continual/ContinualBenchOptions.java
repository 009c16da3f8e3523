package io.ctta.benchmarks.continual;

import io.ctta.runtime.model.ModelSpec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The options of {@link ContinualBench}, resolved once ({@link ContinualCommand} parses them):
 * what was given explicitly, else the preset's value, else the default.
 *
 * @param preset the named protocol whose defaults and per-learner settings apply
 * @param model the built-in model kind: {@code builtin-cnn} or {@code mlp:<in>-<h1>-...-<out>}
 * @param streams the permuted streams, run one after the other
 * @param strategies learner labels: registered strategy names or {@code upgd-nonprotecting}, run one after the other
 * @param tasks number of tasks (task switches + 1)
 * @param taskLength samples per task
 * @param batch samples per predict/learn call
 * @param seed stream, model and strategy seed
 * @param probeSamples images in the plasticity probe batch (Fashion-MNIST test set)
 * @param probeEvery probe the model after every this many tasks (and after the last)
 * @param samplePlasticity measure the UPGD paper's sample plasticity (one extra eval forward per batch)
 * @param threads libtorch intra-op threads
 * @param settings HOCON with one block per learner label, e.g. {@code upgd { sigma = 0.01 }}; over the preset's
 * @param data the Fashion-MNIST directory
 * @param out the report directory
 * @param command the command line, quoted in the report
 */
public record ContinualBenchOptions(ContinualPreset preset, String model, List<StreamKind> streams,
        List<String> strategies, int tasks, int taskLength, int batch, long seed, int probeSamples, int probeEvery,
        boolean samplePlasticity, int threads, String settings, Path data, Path out, String command) {

    /** Validates ranges and names; messages name the option and the fix. */
    public ContinualBenchOptions {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(command, "command");
        streams = List.copyOf(streams);
        strategies = List.copyOf(strategies);
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("--strategies must name at least one strategy");
        }
        if (new HashSet<>(strategies).size() != strategies.size()) {
            throw new IllegalArgumentException("--strategies names a strategy twice: " + String.join(",", strategies));
        }
        if (streams.isEmpty() || new HashSet<>(streams).size() != streams.size()) {
            throw new IllegalArgumentException("--streams must name label-permuted and/or input-permuted once each, got "
                    + streams);
        }
        try {
            ModelSpec spec = ModelSpec.builtin(model);
            if (spec.numClasses() != 10 || io.ctta.runtime.data.InputBatch.sampleLength(spec.inputShape()) != 28 * 28) {
                throw new IllegalArgumentException("the streams are Fashion-MNIST: 784 inputs and 10 classes, e.g."
                        + " mlp:784-300-150-10, got " + model);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--model: " + e.getMessage(), e);
        }
        if (tasks < 2) {
            throw new IllegalArgumentException("--tasks must be >= 2 (at least one switch), got " + tasks);
        }
        if (taskLength < 1 || batch < 1 || probeSamples < 2 || probeEvery < 1 || threads < 1) {
            throw new IllegalArgumentException("--task-length, --batch, --probe-every and --threads must be >= 1 and"
                    + " --probe-samples >= 2");
        }
    }

    /** The built-in model every learner starts from (the same seeded initialisation). */
    public ModelSpec modelSpec() {
        return ModelSpec.builtin(model);
    }
}
