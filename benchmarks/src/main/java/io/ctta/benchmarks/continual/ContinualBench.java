package io.ctta.benchmarks.continual;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.diagnostics.Plasticity;
import io.ctta.runtime.diagnostics.TaskAccuracy;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.data.PermutedStreams;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Continual-learning benchmark (the protocol of Elsayed and Mahmood, ICLR 2024; docs/continual-benchmark.md): each strategy learns a label-permuted (or
 * input-permuted) Fashion-MNIST stream from the same seeded initial model, in this process,
 * prequentially: for every batch {@code predict} (scored), then {@code learn} with its labels. It
 * reports online accuracy per task (first and last 20 % of the tasks), throughput and the
 * plasticity diagnostics (dead units, effective rank of the penultimate features, mean weight
 * magnitude, sample plasticity), and writes {@code report.md}, {@code accuracy.png},
 * {@code diagnostics.png} and {@code per-task.csv} to the report directory.
 *
 * <p>The acceptance trend of the UPGD paper: on the label-permuted stream, per-task accuracy of
 * UPGD keeps improving where SGD/Adam plateau or decline. The defaults are scaled down (256
 * samples per task, batches of 16, the built-in CNN) so that four strategies run in a few minutes
 * on two cores; the paper uses 2 500 samples per task, one sample per step, an MLP and 1 M steps.
 *
 * <p>Usage: {@code java -cp ... io.ctta.benchmarks.continual.ContinualBench [options]}; see
 * {@link ContinualBenchOptions#USAGE}.
 */
public final class ContinualBench {

    private final ContinualBenchOptions options;
    private final PrintStream log;

    /** A benchmark with these options, logging progress to {@code log}. */
    public ContinualBench(ContinualBenchOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Parses the options, runs every strategy and writes the report; exit code 2 on bad options. */
    public static void main(String[] args) throws IOException {
        ContinualBenchOptions o;
        try {
            o = ContinualBenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // Before the engine starts: one intra-op thread avoids OpenMP oversubscription on shared
        // cores (a small CNN gains nothing from more); charts render without a display.
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads()));
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<StrategyRun> runs = new ContinualBench(o, System.out).run();
        ContinualReport report = new ContinualReport(o, runs);
        report.write();
        System.out.println();
        System.out.println(report.table());
        System.out.println("report: " + o.out().toAbsolutePath());
    }

    /**
     * Builds the stream and runs every strategy over it.
     *
     * @throws IOException when Fashion-MNIST cannot be read
     * @throws IllegalArgumentException for an unknown strategy or an invalid setting
     */
    public List<StrategyRun> run() throws IOException {
        Config all = parseSettings(options.settings());
        StrategyRegistry registry = StrategyRegistry.load();
        for (String s : options.strategies()) {
            registry.provider(s); // fail before loading data
        }
        LabeledImages train = FashionMnist.load(options.data(), FashionMnist.Split.TRAIN);
        LabeledImages test = FashionMnist.load(options.data(), FashionMnist.Split.TEST);
        List<Domain> stream = options.stream().equals("label")
                ? PermutedStreams.labelPermuted(train, options.tasks(), options.taskLength(), 10, options.seed())
                : PermutedStreams.inputPermuted(train, options.tasks(), options.taskLength(), options.seed());
        InputBatch probe = probeBatch(test, stream);
        log.printf(Locale.ROOT, "%s-permuted Fashion-MNIST: %d tasks x %d samples, batch %d, seed %d%n",
                options.stream(), options.tasks(), options.taskLength(), options.batch(), options.seed());
        List<StrategyRun> runs = new ArrayList<>();
        for (String name : options.strategies()) {
            Config settings = all.hasPath(ConfigUtil.joinPath(name)) ? all.getConfig(ConfigUtil.joinPath(name))
                    : ConfigFactory.empty();
            runs.add(runOne(registry, name, settings, stream, probe));
        }
        return runs;
    }

    private static Config parseSettings(String hocon) {
        try {
            return ConfigFactory.parseString(hocon);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--settings is not valid HOCON: " + e.getMessage(), e);
        }
    }

    /**
     * The probe batch: test images, pixel-permuted like the first task for the input-permuted
     * stream (then the features answer "how rich is the representation of the current inputs").
     */
    private InputBatch probeBatch(LabeledImages test, List<Domain> stream) {
        int n = Math.min(options.probeSamples(), test.count());
        LabeledImages sample = test.slice(0, n);
        if (options.stream().equals("input")) {
            int[] perm = PermutedStreams.pixelPermutation(options.seed(), 0, sample.imageSize());
            byte[] px = new byte[sample.pixels().length];
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < perm.length; p++) {
                    px[i * perm.length + p] = sample.pixels()[i * perm.length + perm[p]];
                }
            }
            sample = new LabeledImages(n, sample.rows(), sample.cols(), px, sample.labels());
        }
        return new InputBatch(n, new int[] {1, sample.rows(), sample.cols()}, sample.allFeatures());
    }

    private StrategyRun runOne(StrategyRegistry registry, String name, Config settings, List<Domain> stream,
            InputBatch probe) {
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, options.seed());
        TaskAccuracy accuracy = new TaskAccuracy();
        double[] plasticity = new double[stream.size()];
        List<StrategyRun.ProbePoint> probes = new ArrayList<>();
        long samples = 0;
        long busy = 0;
        long applied = 0;
        long skipped = 0;
        long diverged = 0;
        long started = System.nanoTime();
        // The strategy owns the model from here; probes only read it, between calls, on this thread.
        try (AdaptationStrategy strategy = registry.create(name, new StrategyContext(model, settings, options.seed()))) {
            probes.add(new StrategyRun.ProbePoint(0, Plasticity.probe(model, probe)));
            for (int k = 0; k < stream.size(); k++) {
                Domain task = stream.get(k);
                LabeledImages images = task.images();
                double plasticitySum = 0;
                int plasticityCount = 0;
                for (int from = 0; from < images.count(); from += options.batch()) {
                    int n = Math.min(options.batch(), images.count() - from);
                    LabeledImages part = images.slice(from, from + n);
                    InputBatch batch = new InputBatch(n, new int[] {1, part.rows(), part.cols()}, part.allFeatures());
                    int[] labels = part.labels();
                    long t0 = System.nanoTime();
                    ModelOutput out = strategy.predictAndLearn(batch, labels);
                    StepOutcome outcome = out.step();
                    busy += System.nanoTime() - t0;
                    samples += n;
                    accuracy.record(task.name(), n, Plasticity.correct(out, labels));
                    switch (outcome.kind()) {
                        case APPLIED -> applied++;
                        case DIVERGED -> diverged++;
                        default -> skipped++;
                    }
                    if (options.samplePlasticity() && outcome.kind() == StepOutcome.Kind.APPLIED) {
                        ModelOutput after = strategy.predict(batch);
                        plasticitySum += Plasticity.samplePlasticity(Plasticity.meanCrossEntropy(out, labels),
                                Plasticity.meanCrossEntropy(after, labels));
                        plasticityCount++;
                    }
                }
                plasticity[k] = plasticityCount == 0 ? Double.NaN : plasticitySum / plasticityCount;
                boolean last = k == stream.size() - 1;
                if ((k + 1) % options.probeEvery() == 0 || last) {
                    probes.add(new StrategyRun.ProbePoint(k + 1, Plasticity.probe(model, probe)));
                }
                if ((k + 1) % Math.max(1, stream.size() / 5) == 0 || last) {
                    double[] acc = accuracy.accuracies();
                    log.printf(Locale.ROOT, "  %-14s task %4d/%d  accuracy(last task) %.3f  %.0f s%n", name, k + 1,
                            stream.size(), acc[acc.length - 1], (System.nanoTime() - started) / 1e9);
                }
            }
        }
        return new StrategyRun(name, accuracy.accuracies(), plasticity, List.copyOf(probes), samples, busy, applied,
                skipped, diverged);
    }

    /** The options this benchmark runs with. */
    public ContinualBenchOptions options() {
        return options;
    }
}
