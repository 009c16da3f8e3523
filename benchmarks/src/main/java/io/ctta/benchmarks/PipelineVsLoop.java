package io.ctta.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.TopicAdmin;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.demo.DemoRun;
import io.ctta.actors.demo.DomainRecords;
import io.ctta.actors.demo.SourceModelCache;
import io.ctta.actors.metrics.StageClock;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.IntraOpThreads;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.kafka.ReplayProducer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * Throughput of each strategy through the whole pipeline (Kafka broker, codecs, actors, drift
 * detectors, metrics) against the same strategy called in a plain loop over the same batches,
 * with the time each pipeline spent in each of its stages ({@link StageClock}) and, on request, a
 * JFR profile of the pipeline's Java code ({@link HotMethods}).
 *
 * <p>The broker runs in another process: the one at {@code bootstrap}, or else the embedded broker
 * started as a child JVM ({@link BrokerProcess}), so the pipeline's JVM holds only ctta, as it
 * would against a real cluster. Loops and pipelines run in this JVM one after the other, one
 * pipeline at a time, so the ratio is measured on the same machine in the same run.
 */
public final class PipelineVsLoop {

    /**
     * @param bootstrap a running broker, or null to start the embedded one as a child process
     * @param jfr where to write one JFR recording per pipeline ({@code <jfr>-<strategy>.jfr}), or null for none
     * @param quickModel the source model of {@code ctta demo --quick} (1 epoch on 20,000 images, minutes
     *     to train once) instead of the demo's (3 epochs on 60,000); same network, so the same cost per sample
     * @param warmUps unmeasured pipelines per strategy before the rounds: the JIT compiles the
     *     pipeline's code (Kafka clients, Pekko, codecs) during the first one, which on 2 cores took
     *     a third of the pipeline JVM's CPU of a 4,500-record run
     */
    public record Options(int samplesPerDomain, List<String> strategies, int batchSize, long seed, String bootstrap, Path jfr,
            boolean quickModel, int rounds, int warmUps) {
        public Options {
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            }
            if (warmUps < 0) {
                throw new IllegalArgumentException("--warm-up must be at least 0, got " + warmUps);
            }
        }
    }

    /** What one pipeline did: its predictions and the time in each stage. */
    record PipelineResult(AcknowledgedPredictions.Span tally, Map<StageClock.Stage, StageClock.Totals> stages) {
        double samplesPerSecond() {
            return tally.count() * 1000.0 / Math.max(1, tally.spanMs());
        }

        /** CPU milliseconds this JVM spent per 1000 predictions. */
        double cpuMsPerThousand() {
            return tally.cpuNanos() / 1e6 * 1000 / Math.max(1, tally.count());
        }

        /** CPU milliseconds the broker's process spent per 1000 predictions (-1: unknown). */
        double brokerCpuMsPerThousand() {
            return tally.brokerCpuNanos() < 0 ? -1 : tally.brokerCpuNanos() / 1e6 * 1000 / Math.max(1, tally.count());
        }

        /** The model's time over the wall time between the first and the last prediction. */
        double modelBusy() {
            return stages.get(StageClock.Stage.MODEL).nanos() / 1e6 / Math.max(1, tally.spanMs());
        }
    }

    private final Options o;
    private final PrintStream out;

    PipelineVsLoop(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    /** {@code [samplesPerDomain] [strategies] [bootstrap|-] [jfrPrefix]}. */
    public static void main(String[] args) throws Exception {
        int perDomain = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        List<String> strategies = args.length > 1 ? List.of(args[1].split(",")) : List.of("source", "tent");
        String bootstrap = args.length > 2 && !args[2].equals("-") ? args[2] : null;
        Path jfr = args.length > 3 ? Path.of(args[3]) : null;
        new PipelineVsLoop(new Options(perDomain, strategies, 64, 1, bootstrap, jfr, false, 1, 1), System.out).run();
    }

    void run() throws Exception {
        DemoRun.Options d = DemoRun.Options.defaults(o.quickModel());
        Path weights = new SourceModelCache(d.cacheDir(), out)
                .weights(d.fashionMnistDir(), new TrainSettings(d.trainEpochs(), 128, 1e-3f, o.seed()), d.trainSamples());
        LabeledImages test = FashionMnist.load(d.fashionMnistDir(), FashionMnist.Split.TEST);
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, o.seed(), o.samplesPerDomain());

        StrategyRegistry registry = StrategyRegistry.load();
        Map<String, List<Double>> loop = new LinkedHashMap<>();
        Map<String, List<Double>> loopCpu = new LinkedHashMap<>();
        Map<String, List<PipelineResult>> pipelines = new LinkedHashMap<>();
        BrokerProcess child = null;
        try {
            String bootstrap = o.bootstrap();
            if (bootstrap == null) {
                child = BrokerProcess.start("1g");
                bootstrap = child.bootstrapServers();
                out.printf("Broker: the embedded broker in a child JVM (pid %d, -Xmx1g, EmbeddedKafkaMain) at %s; log %s%n",
                        child.pid(), bootstrap, child.log());
            } else {
                out.println("Broker: " + bootstrap + " (given with --bootstrap)");
            }
            int configured = ConfigFactory.load().getInt("ctta.model.intra-op-threads");
            out.printf("libtorch threads per operator: loop %d, pipeline model %d%s%n", IntraOpThreads.ofCurrentThread(),
                    configured > 0 ? configured : IntraOpThreads.ofCurrentThread(),
                    configured > 0 ? " (ctta.model.intra-op-threads)" : " (the loop's)");
            String input = "bench.pipeline.input." + System.currentTimeMillis();
            Properties kafka = new Properties();
            kafka.put("bootstrap.servers", bootstrap);
            TopicAdmin.ensure(kafka, List.of(input), 1);
            long records;
            try (ReplayProducer replay = new ReplayProducer(kafka)) {
                records = replay.replay(new DomainRecords(domains, "camera-0", System.currentTimeMillis()), input, null);
            }
            for (String s : o.strategies()) {
                for (int w = 1; w <= o.warmUps(); w++) {
                    PipelineResult p = pipeline(registry, weights, bootstrap, input, s, records, child == null ? -1 : child.pid(), false);
                    out.printf(Locale.ROOT, "warm-up %d %s: pipeline %.0f samples/s (not counted)%n", w, s, p.samplesPerSecond());
                }
            }
            // Loop and pipeline alternate, one at a time, so each has the machine to itself and a
            // change of the machine's load between them shows in one round's ratio, not in all.
            for (int r = 1; r <= o.rounds(); r++) {
                for (String s : o.strategies()) {
                    double[] lc = loopSamplesPerSecond(registry, s, weights, domains, o.batchSize(), o.seed());
                    double l = lc[0];
                    loopCpu.computeIfAbsent(s, k -> new ArrayList<>()).add(lc[1]);
                    PipelineResult p = pipeline(registry, weights, bootstrap, input, s, records, child == null ? -1 : child.pid(),
                            r == o.rounds());
                    loop.computeIfAbsent(s, k -> new ArrayList<>()).add(l);
                    pipelines.computeIfAbsent(s, k -> new ArrayList<>()).add(p);
                    out.printf(Locale.ROOT, "round %d %s: loop %.0f, pipeline %.0f samples/s, ratio %.2f, model busy %.0f%% of the pipeline's wall time;"
                            + " CPU ms per 1000 samples: loop %.0f, pipeline %.0f + broker %.0f%n",
                            r, s, l, p.samplesPerSecond(), p.samplesPerSecond() / l, 100 * p.modelBusy(), lc[1], p.cpuMsPerThousand(),
                            p.brokerCpuMsPerThousand());
                }
            }
        } finally {
            if (child != null) {
                child.close();
            }
        }

        out.println();
        out.println("| strategy | loop samples/s | pipeline samples/s | pipeline / loop | model busy | CPU ms / 1000 samples: loop | pipeline | broker"
                + " | loop / (pipeline + broker) | rounds |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String s : o.strategies()) {
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < o.rounds(); r++) {
                ratios.add(pipelines.get(s).get(r).samplesPerSecond() / loop.get(s).get(r));
            }
            double lcpu = median(loopCpu.get(s));
            double pcpu = median(pipelines.get(s).stream().map(PipelineResult::cpuMsPerThousand).toList());
            double bcpu = median(pipelines.get(s).stream().map(PipelineResult::brokerCpuMsPerThousand).toList());
            out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %.0f%% | %.0f | %.0f | %s | %.2f | %d |%n", s, median(loop.get(s)),
                    median(pipelines.get(s).stream().map(PipelineResult::samplesPerSecond).toList()), median(ratios),
                    100 * median(pipelines.get(s).stream().map(PipelineResult::modelBusy).toList()), lcpu, pcpu,
                    bcpu < 0 ? "-" : String.format(Locale.ROOT, "%.0f", bcpu), lcpu / (pcpu + Math.max(0, bcpu)), o.rounds());
        }
        if (o.rounds() > 1) {
            out.println("(medians over the rounds; pipeline / loop is the median of each round's ratio)");
        }
        for (String s : o.strategies()) {
            List<PipelineResult> rs = pipelines.get(s);
            printStages(s, rs.get(rs.size() - 1));
        }
        out.printf(Locale.ROOT, "%npeak RSS of this process (loops and pipelines; the broker is not in it): %.0f MiB%n", ProcessMemory.peakRssMiB());
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private PipelineResult pipeline(StrategyRegistry registry, Path weights, String bootstrap, String input, String strategy, long records,
            long brokerPid, boolean record) throws Exception {
        String name = "bench-" + strategy + "-" + System.currentTimeMillis();
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.model.weights = \"" + weights + "\"\n"
                + modelThreads()
                + "ctta.pipelines = [{ name = \"" + name + "\", input-topic = \"" + input + "\", strategy = " + strategy
                + ", batch-size = " + o.batchSize() + " }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        Recording recording = o.jfr() == null || !record ? null : new Recording(Configuration.getConfiguration("profile"));
        if (recording != null) {
            recording.start();
        }
        try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, bootstrap)) {
            // Startup (and any warm-up) is not in the span: it runs from the first acknowledged prediction to the last.
            AcknowledgedPredictions.Span tally = AcknowledgedPredictions.await(runtime, name, records, Duration.ofMinutes(30), brokerPid);
            var stages = runtime.metrics().get(name).stages().snapshot();
            return new PipelineResult(tally, stages);
        } finally {
            if (recording != null) {
                recording.stop();
                Path file = o.jfr().resolveSibling(o.jfr().getFileName() + "-" + strategy + ".jfr");
                recording.dump(file);
                recording.close();
                out.println();
                out.println("JFR recording of pipeline " + strategy + ": " + file);
                HotMethods.of(file).print(out, 15);
            }
        }
    }

    /**
     * The pipeline's model runs each operator on as many libtorch threads as the loop it is
     * compared with (this thread's count, from {@code -Dai.djl.pytorch.num_threads}), unless
     * {@code ctta.model.intra-op-threads} is set. Why: the setting's default (the cores per
     * pipeline: 2 on a 2-core machine) against the loop's 1 compared two different models.
     */
    private String modelThreads() {
        if (ConfigFactory.load().getInt("ctta.model.intra-op-threads") > 0) {
            return "";
        }
        return "ctta.model.intra-op-threads = " + IntraOpThreads.ofCurrentThread() + "\n";
    }

    private void printStages(String strategy, PipelineResult r) {
        long batches = Math.max(1, r.stages().get(StageClock.Stage.MODEL).calls());
        double wallPerBatchUs = r.tally().spanMs() * 1000.0 / batches;
        out.println();
        out.printf(Locale.ROOT, "Stages of pipeline %s: %d batches, %.0f us of wall time per batch%n", strategy, batches, wallPerBatchUs);
        out.println("| stage | calls | total ms | us per batch | share of wall |");
        out.println("|---|---:|---:|---:|---:|");
        r.stages().forEach((stage, t) -> {
            double perBatchUs = t.nanos() / 1e3 / batches;
            out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.1f%% |%n", stage.label(), t.calls(), t.nanos() / 1e6, perBatchUs,
                    100 * perBatchUs / wallPerBatchUs);
        });
        Map<String, Long> threads = r.tally().threadCpuNanos();
        if (!threads.isEmpty()) {
            long total = threads.values().stream().mapToLong(Long::longValue).sum();
            out.println();
            out.printf(Locale.ROOT, "CPU of the pipeline JVM by thread over that span (Linux /proc, 10 ms ticks; JIT compiler and GC threads included)%n");
            out.println("| thread | CPU ms | ms per 1000 samples | share |");
            out.println("|---|---:|---:|---:|");
            threads.entrySet().stream().limit(10).forEach(e -> out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.1f%% |%n", e.getKey(),
                    e.getValue() / 1e6, e.getValue() / 1e6 * 1000 / Math.max(1, r.tally().count()), 100.0 * e.getValue() / Math.max(1, total)));
        }
    }

    /**
     * Samples per second of {@code strategy.predict} over the stream's batches, after one warm-up
     * pass over 20 batches, and the CPU milliseconds this JVM spent per 1000 samples meanwhile.
     */
    static double[] loopSamplesPerSecond(StrategyRegistry registry, String name, Path weights, List<Domain> domains, int batch, long seed) throws Exception {
        List<InputBatch> batches = new ArrayList<>();
        for (Domain dom : domains) {
            LabeledImages im = dom.images();
            for (int i = 0; i < im.count(); i += batch) {
                int n = Math.min(batch, im.count() - i);
                float[] f = new float[n * im.rows() * im.cols()];
                for (int j = 0; j < n; j++) {
                    System.arraycopy(im.featuresOf(i + j), 0, f, j * im.rows() * im.cols(), im.rows() * im.cols());
                }
                batches.add(new InputBatch(n, new int[] {1, im.rows(), im.cols()}, f));
            }
        }
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), seed);
        model.loadParameters(weights);
        var settings = ConfigFactory.load().getConfig("ctta.strategies").hasPath(name)
                ? ConfigFactory.load().getConfig("ctta.strategies." + name) : ConfigFactory.empty();
        try (AdaptationStrategy s = registry.create(name, new StrategyContext(model, settings, seed))) {
            for (int i = 0; i < Math.min(20, batches.size()); i++) {
                s.predict(batches.get(i));
            }
            s.reset();
            long samples = 0;
            long cpu0 = CpuTime.thisProcess();
            long t0 = System.nanoTime();
            for (InputBatch b : batches) {
                s.predict(b);
                samples += b.size();
            }
            double perSecond = samples / ((System.nanoTime() - t0) / 1e9);
            return new double[] {perSecond, (CpuTime.thisProcess() - cpu0) / 1e6 * 1000 / samples};
        }
    }
}
