package io.ctta.benchmarks.continual;

import io.ctta.streams.data.FashionMnist;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ctta bench continual}: parses the options (an explicit option wins over the preset's
 * value, which wins over the default), runs {@link ContinualBench} and writes the report.
 */
@Command(name = "continual", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continual learners (sgd, adam, upgd, ...) prequentially over many task switches of label-permuted"
                + " and/or input-permuted Fashion-MNIST, in-process: every batch is predicted (scored), then learned."
                + " Writes report.md (accuracy per task, plasticity diagnostics, whether UPGD beats SGD and Adam over the"
                + " last 20 %% of the tasks), PNG plots and CSV into --out. docs/continual-benchmark.md.",
                "", "The UPGD paper's protocol: ctta bench continual --preset upgd-paper", ""})
public final class ContinualCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", description = "none (default) or upgd-paper: mlp:784-300-150-10,"
            + " both streams, 24 tasks x 2500 samples, batch 1, sgd,adam,upgd,upgd-nonprotecting,sgd+spectral with the"
            + " paper's hyper-parameters per stream. Explicit options override it.")
    String preset;

    @Option(names = "--model", paramLabel = "KIND", description = "Built-in model every learner starts from (same seeded"
            + " init): builtin-cnn or mlp:<in>-<h1>-...-<out> (default builtin-cnn; upgd-paper: mlp:784-300-150-10).")
    String model;

    @Option(names = "--streams", split = ",", paramLabel = "STREAM", description = "label-permuted and/or input-permuted"
            + " (default label-permuted; upgd-paper: both).")
    List<String> streams;

    @Option(names = "--strategies", split = ",", paramLabel = "NAME", description = "Learners: registered strategies or"
            + " upgd-nonprotecting (default sgd,adam,upgd,sgd+spectral; upgd-paper: sgd,adam,upgd,upgd-nonprotecting,"
            + "sgd+spectral).")
    List<String> strategies;

    @Option(names = "--tasks", paramLabel = "N", description = "Tasks, i.e. task switches + 1 (default 100; upgd-paper: 24).")
    Integer tasks;

    @Option(names = "--task-length", paramLabel = "N", description = "Samples per task (default 256; upgd-paper: 2500).")
    Integer taskLength;

    @Option(names = "--batch", paramLabel = "N", description = "Samples per predict/learn step (default 16; upgd-paper: 1).")
    Integer batch;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Stream, model and strategy seed"
            + " (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--settings", paramLabel = "HOCON", defaultValue = "", description = "One block per learner, over"
            + " the preset's, e.g. 'upgd { sigma = 0.01 }, \"sgd+spectral\" { spectral.rho = 0.01 }'.")
    String settings;

    @Option(names = "--probe-samples", defaultValue = "256", paramLabel = "N", description = "Test images in the"
            + " plasticity probe (default ${DEFAULT-VALUE}).")
    int probeSamples;

    @Option(names = "--probe-every", defaultValue = "5", paramLabel = "N", description = "Probe after every N tasks and"
            + " after the last (default ${DEFAULT-VALUE}).")
    int probeEvery;

    @Option(names = "--sample-plasticity", defaultValue = "true", arity = "1", paramLabel = "BOOL", description =
            "Re-evaluate each batch after its step, the paper's sample plasticity (default ${DEFAULT-VALUE}).")
    boolean samplePlasticity;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "libtorch intra-op threads"
            + " (default ${DEFAULT-VALUE}: no OpenMP oversubscription on shared cores).")
    int threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX files (default $CTTA_FASHION_MNIST_DIR"
            + " or /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--out", defaultValue = "ctta-continual-report", paramLabel = "DIR", description = "Report directory"
            + " (default ${DEFAULT-VALUE}).")
    Path out;

    /** The options, resolved over the preset. */
    ContinualBenchOptions options() {
        ContinualPreset p = preset == null ? ContinualPreset.NONE : ContinualPreset.parse(preset);
        List<StreamKind> s = streams == null ? p.streams() : streams.stream().map(StreamKind::parse).toList();
        List<String> learners = strategies == null ? p.strategies()
                : strategies.stream().map(String::trim).filter(x -> !x.isEmpty()).toList();
        return new ContinualBenchOptions(p, model == null ? p.model() : model.trim(), s, learners,
                tasks == null ? p.tasks() : tasks, taskLength == null ? p.taskLength() : taskLength,
                batch == null ? p.batch() : batch, seed, probeSamples, probeEvery, samplePlasticity, threads, settings,
                data == null ? FashionMnist.defaultDirectory() : data, out, commandLine());
    }

    private String commandLine() {
        StringBuilder b = new StringBuilder("ctta bench continual");
        if (spec != null && spec.commandLine() != null && spec.commandLine().getParseResult() != null) {
            List<String> args = spec.commandLine().getParseResult().originalArgs();
            // Under ctta bench, the original arguments start with the parents' ("bench continual ...").
            int own = spec.parent() == null ? -1 : args.indexOf(spec.name());
            for (String a : args.subList(own + 1, args.size())) {
                b.append(' ').append(a.matches("[A-Za-z0-9_./:=,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
            }
        }
        return b.toString();
    }

    @Override
    public Integer call() throws Exception {
        ContinualBenchOptions o;
        try {
            o = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ContinualBench.runAndReport(o, System.out);
        return 0;
    }
}
