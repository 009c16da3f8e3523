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
 * Continual-learning benchmark (the protocol of Elsayed and Mahmood, ICLR 2024;
 * docs/continual-benchmark.md): each learner runs over a label-permuted and/or input-permuted
 * Fashion-MNIST stream from the same seeded initial model, in this process, prequentially: for
 * every batch {@code predict} (scored), then {@code learn} with its labels. It reports online
 * accuracy per task, throughput and the plasticity diagnostics (dead units, effective rank of the
 * penultimate features, mean weight magnitude, sample plasticity), and whether UPGD beats SGD and
 * Adam over the last 20 % of the tasks ({@link ContinualReport}).
 *
 * <p>{@code --preset upgd-paper} ({@link ContinualPreset}) runs the paper's protocol: the MLP
 * 784-300-150-10, one sample per step, 2 500 samples per task, the paper's hyper-parameters per
 * learner and stream. Without a preset the defaults are scaled down (256 samples per task,
 * batches of 16, the built-in CNN) so that four strategies run in a few minutes on two cores.
 *
 * <p>Usage: {@code ctta bench continual [options]}, or {@code java -cp ...
 * io.ctta.benchmarks.continual.ContinualBench [options]}; {@code --help} lists the options.
 */
public final class ContinualBench {

    private final ContinualBenchOptions options;
    private final PrintStream log;

    /** A benchmark with these options, logging progress to {@code log}. */
    public ContinualBench(ContinualBenchOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** {@code ctta bench continual} from a plain {@code java -cp} command line; see {@link ContinualCommand}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new ContinualCommand()).execute(args));
    }

    /**
     * Runs every stream and learner, writes the report into {@code options.out()} and prints its table.
     *
     * @throws IOException when Fashion-MNIST cannot be read or the report cannot be written
     */
    public static ContinualReport runAndReport(ContinualBenchOptions o, PrintStream log) throws IOException {
        // Before the engine starts: one intra-op thread avoids OpenMP oversubscription on shared
        // cores (a small network gains nothing from more); charts render without a display.
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads()));
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        String machine = MachineInfo.describe();
        List<StreamResult> results = new ContinualBench(o, log).run();
        ContinualReport report = new ContinualReport(o, results, machine);
        report.write();
        log.println();
        log.println(report.summary());
        log.println("report: " + o.out().toAbsolutePath().resolve("report.md"));
        return report;
    }

    /**
     * Builds each stream and runs every learner over it.
     *
     * @throws IOException when Fashion-MNIST cannot be read
     * @throws IllegalArgumentException for an unknown strategy or an invalid setting
     */
    public List<StreamResult> run() throws IOException {
        Config all = parseSettings(options.settings());
        StrategyRegistry registry = StrategyRegistry.load();
        for (StreamKind kind : options.streams()) {
            for (StrategyPlan plan : plans(kind, all)) {
                registry.provider(plan.strategy()); // fail before loading data
            }
        }
        LabeledImages train = FashionMnist.load(options.data(), FashionMnist.Split.TRAIN);
        LabeledImages test = FashionMnist.load(options.data(), FashionMnist.Split.TEST);
        List<StreamResult> results = new ArrayList<>();
        for (StreamKind kind : options.streams()) {
            List<Domain> stream = kind == StreamKind.LABEL_PERMUTED
                    ? PermutedStreams.labelPermuted(train, options.tasks(), options.taskLength(), 10, options.seed())
                    : PermutedStreams.inputPermuted(train, options.tasks(), options.taskLength(), options.seed());
            InputBatch probe = probeBatch(kind, test);
            log.printf(Locale.ROOT, "%s Fashion-MNIST: %d tasks x %d samples, batch %d, model %s, seed %d%n",
                    kind, options.tasks(), options.taskLength(), options.batch(), options.model(), options.seed());
            List<StrategyRun> runs = new ArrayList<>();
            List<StrategyPlan> plans = plans(kind, all);
            for (StrategyPlan plan : plans) {
                runs.add(runOne(registry, plan, stream, probe));
            }
            results.add(new StreamResult(kind, plans, runs));
        }
        return results;
    }

    /** The learners of {@code kind}: the preset's settings of each label under the user's block for it. */
    private List<StrategyPlan> plans(StreamKind kind, Config all) {
        List<StrategyPlan> plans = new ArrayList<>();
        for (String label : options.strategies()) {
            String path = ConfigUtil.joinPath(label);
            Config mine = all.hasPath(path) ? all.getConfig(path) : ConfigFactory.empty();
            plans.add(options.preset().plan(kind, label, mine));
        }
        return plans;
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
    private InputBatch probeBatch(StreamKind kind, LabeledImages test) {
        int n = Math.min(options.probeSamples(), test.count());
        LabeledImages sample = test.slice(0, n);
        if (kind == StreamKind.INPUT_PERMUTED) {
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

    private StrategyRun runOne(StrategyRegistry registry, StrategyPlan plan, List<Domain> stream, InputBatch probe) {
        String name = plan.label();
        AdaptiveModel model = AdaptiveModel.create(options.modelSpec(), Device.CPU, options.seed());
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
        try (AdaptationStrategy strategy = registry.create(plan.strategy(),
                new StrategyContext(model, plan.settings(), options.seed()))) {
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
