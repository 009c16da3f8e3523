package io.ctta.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.TopicAdmin;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.demo.DemoRun;
import io.ctta.actors.demo.DomainRecords;
import io.ctta.actors.demo.PredictionCollector;
import io.ctta.actors.demo.PredictionTally;
import io.ctta.actors.demo.SourceModelCache;
import io.ctta.actors.metrics.StageClock;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.kafka.ReplayProducer;
import io.ctta.streams.record.Topics;
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
     */
    public record Options(int samplesPerDomain, List<String> strategies, int batchSize, long seed, String bootstrap, Path jfr) {}

    /** What one pipeline did: its predictions and the time in each stage. */
    record PipelineResult(PredictionTally tally, Map<StageClock.Stage, StageClock.Totals> stages) {
        double samplesPerSecond() {
            return tally.count() * 1000.0 / Math.max(1, tally.spanMs());
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
        new PipelineVsLoop(new Options(perDomain, strategies, 64, 1, bootstrap, jfr), System.out).run();
    }

    void run() throws Exception {
        DemoRun.Options d = DemoRun.Options.defaults(false);
        Path weights = new SourceModelCache(d.cacheDir(), out)
                .weights(d.fashionMnistDir(), new TrainSettings(d.trainEpochs(), 128, 1e-3f, o.seed()), d.trainSamples());
        LabeledImages test = FashionMnist.load(d.fashionMnistDir(), FashionMnist.Split.TEST);
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, o.seed(), o.samplesPerDomain());

        StrategyRegistry registry = StrategyRegistry.load();
        Map<String, Double> loop = new LinkedHashMap<>();
        for (String s : o.strategies()) {
            loop.put(s, loopSamplesPerSecond(registry, s, weights, domains, o.batchSize(), o.seed()));
            out.printf(Locale.ROOT, "loop %s: %.0f samples/s%n", s, loop.get(s));
        }
        Map<String, PipelineResult> pipelines = new LinkedHashMap<>();
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
            String input = "bench.pipeline.input." + System.currentTimeMillis();
            Properties kafka = new Properties();
            kafka.put("bootstrap.servers", bootstrap);
            TopicAdmin.ensure(kafka, List.of(input), 1);
            long records;
            try (ReplayProducer replay = new ReplayProducer(kafka)) {
                records = replay.replay(new DomainRecords(domains, "camera-0", System.currentTimeMillis()), input, null);
            }
            // One pipeline at a time, so each has the machine to itself as the plain loop had.
            for (String s : o.strategies()) {
                pipelines.put(s, pipeline(registry, weights, bootstrap, input, s, records, domains.stream().map(Domain::name).toList()));
            }
        } finally {
            if (child != null) {
                child.close();
            }
        }

        out.println();
        out.println("| strategy | loop samples/s | pipeline samples/s | pipeline / loop |");
        out.println("|---|---:|---:|---:|");
        for (String s : o.strategies()) {
            double pipe = pipelines.get(s).samplesPerSecond();
            out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f |%n", s, loop.get(s), pipe, pipe / loop.get(s));
        }
        for (String s : o.strategies()) {
            printStages(s, pipelines.get(s));
        }
        out.printf(Locale.ROOT, "%npeak RSS of this process (loops and pipelines; the broker is not in it): %.0f MiB%n", ProcessMemory.peakRssMiB());
    }

    private PipelineResult pipeline(StrategyRegistry registry, Path weights, String bootstrap, String input, String strategy, long records,
            List<String> domainNames) throws Exception {
        String name = "bench-" + strategy + "-" + System.currentTimeMillis();
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.model.weights = \"" + weights + "\"\n"
                + "ctta.pipelines = [{ name = \"" + name + "\", input-topic = \"" + input + "\", strategy = " + strategy
                + ", batch-size = " + o.batchSize() + " }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        Recording recording = o.jfr() == null ? null : new Recording(Configuration.getConfiguration("profile"));
        if (recording != null) {
            recording.start();
        }
        try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, bootstrap)) {
            PredictionTally tally = new PredictionCollector(runtime.kafkaProperties())
                    .collect(Map.of(name, Topics.predictions(name)), records, domainNames, Duration.ofSeconds(120), Duration.ofMinutes(30),
                            n -> { }, () -> runtime.failures().first())
                    .get(name);
            var stages = runtime.metrics().get(name).stages().snapshot();
            out.printf(Locale.ROOT, "pipeline %s: %d predictions in %d ms%n", strategy, tally.count(), tally.spanMs());
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
    }

    /** Samples per second of {@code strategy.predict} over the stream's batches, after one warm-up pass over 20 batches. */
    static double loopSamplesPerSecond(StrategyRegistry registry, String name, Path weights, List<Domain> domains, int batch, long seed) throws Exception {
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
            long t0 = System.nanoTime();
            for (InputBatch b : batches) {
                s.predict(b);
                samples += b.size();
            }
            return samples / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
