package io.ctta.actors.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.Corruption;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.data.StreamDirectory;
import io.ctta.streams.kafka.EmbeddedKafka;
import io.ctta.streams.kafka.ReplayProducer;
import io.ctta.streams.record.Topics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@code ctta demo}: a source model, the corrupted Fashion-MNIST test stream replayed into an
 * embedded broker, one pipeline per strategy reading it side by side, and a report.
 */
public final class DemoRun {

    /** Everything the demo can be told. */
    public record Options(
            List<String> strategies,
            Path modelFile,
            Path streamDir,
            Path fashionMnistDir,
            Path cacheDir,
            int samplesPerDomain,
            int severity,
            int batchSize,
            long seed,
            int httpPort,
            int trainEpochs,
            int trainSamples,
            Path reportFile) {

        /** Defaults; {@code quick} trades accuracy for a run of about a minute. */
        public static Options defaults(boolean quick) {
            return new Options(List.of("source", "tent"), null, null, FashionMnist.defaultDirectory(), SourceModelCache.defaultDir(),
                    quick ? 300 : 2000, 5, 64, 1L, 9464, quick ? 1 : 3, quick ? 20000 : 60000, Path.of("ctta-demo-report.md"));
        }
    }

    /** Strategies that warm up on source data and can cache the result. */
    private static final java.util.Set<String> WARMING_UP = java.util.Set.of("ecotta", "rmt");

    private final Options o;
    private final PrintStream out;

    public DemoRun(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    /** Runs the whole demo and returns the report. */
    public DemoReport run() throws IOException {
        StrategyRegistry registry = StrategyRegistry.load();
        for (String s : o.strategies()) {
            if (!registry.names().contains(s)) {
                throw new IllegalArgumentException("unknown strategy '" + s + "' in --strategies; known: " + String.join(", ", registry.names()));
            }
        }
        List<Domain> domains = domains();
        long perPipeline = DomainRecords.count(domains);
        Config modelConf = modelConfig();

        out.println("Starting the embedded Kafka broker ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            String input = "demo.input";
            kafka.createTopics(1, input);
            out.printf("Replaying %d records (%d domains) into topic %s ...%n", perPipeline, domains.size(), input);
            Properties producer = new Properties();
            producer.put("bootstrap.servers", kafka.bootstrapServers());
            try (ReplayProducer replay = new ReplayProducer(producer)) {
                replay.replay(new DomainRecords(domains, "camera-0", System.currentTimeMillis()), input, null);
            }

            List<Object> pipelines = new ArrayList<>();
            Map<String, String> predictionTopics = new LinkedHashMap<>();
            for (String s : o.strategies()) {
                String name = "demo-" + s;
                pipelines.add(Map.of("name", name, "input-topic", input, "strategy", s, "batch-size", o.batchSize()));
                predictionTopics.put(s, Topics.predictions(name));
            }
            Config user = ConfigFactory.empty()
                    .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(pipelines))
                    .withValue("ctta.model.source-data", ConfigValueFactory.fromAnyRef(o.fashionMnistDir().toString()));
            for (String s : o.strategies()) {
                if (WARMING_UP.contains(s)) {
                    // Warm-ups on source data are cached beside the source model.
                    user = user.withValue("ctta.strategies." + s + ".cache-dir", ConfigValueFactory.fromAnyRef(o.cacheDir().toString()));
                }
            }
            user = user
                    .withValue("ctta.http.port", ConfigValueFactory.fromAnyRef(o.httpPort()))
                    .withFallback(modelConf);
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());

            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka)) {
                if (runtime.httpPort() > 0) {
                    out.printf("Live dashboard: http://%s:%d/   metrics: http://%s:%d/metrics%n",
                            settings.http().host(), runtime.httpPort(), settings.http().host(), runtime.httpPort());
                }
                Map<String, PredictionTally> tallies;
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("predict").setInitialMax(perPipeline * o.strategies().size())
                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(out)).build()) {
                    tallies = new PredictionCollector(runtime.kafkaProperties())
                            .collect(predictionTopics, perPipeline, domains.stream().map(Domain::name).toList(), Duration.ofSeconds(120), bar::stepTo,
                                    () -> runtime.failures().first());
                }
                Map<String, double[]> latencies = new LinkedHashMap<>();
                for (String s : o.strategies()) {
                    latencies.put(s, percentilesMs(runtime.metrics().get("demo-" + s).batchLatency().takeSnapshot().percentileValues()));
                }
                Map<String, Map<String, Long>> actions = new LinkedHashMap<>();
                for (String s : o.strategies()) {
                    actions.put(s, runtime.metrics().get("demo-" + s).actionCounts());
                }
                DemoReport report = new DemoReport(domains.stream().map(Domain::name).toList(), tallies, latencies, actions,
                        "Error per domain and on average: " + streamName() + (o.modelFile() == null ? "" : ", model " + o.modelFile().getFileName()));
                String md = report.toMarkdown();
                out.println();
                out.println(md);
                if (o.reportFile() != null) {
                    java.nio.file.Path png = o.reportFile().resolveSibling(o.reportFile().getFileName().toString().replaceFirst("\\.md$", "") + ".png");
                    report.writePng(png);
                    Files.writeString(o.reportFile(), "# ctta demo\n\n" + describe(domains) + "\n\n" + md + "\n![error per corruption](" + png.getFileName() + ")\n");
                    out.println("Report written to " + o.reportFile().toAbsolutePath() + " (plot: " + png.getFileName() + ")");
                }
                return report;
            }
        }
    }

    /** The stream that was run, as the report names it. */
    private String streamName() {
        return o.streamDir() != null ? "stream " + o.streamDir().getFileName()
                : "Fashion-MNIST-C, severity " + o.severity();
    }

    private String describe(List<Domain> domains) {
        return String.format("%d domains x %d samples, severity %d, batch %d, strategies %s, model %s.",
                domains.size(), domains.isEmpty() ? 0 : domains.get(0).images().count(), o.severity(), o.batchSize(),
                String.join(", ", o.strategies()), o.modelFile() == null ? "built-in CNN" : o.modelFile());
    }

    private List<Domain> domains() throws IOException {
        if (o.streamDir() != null) {
            out.println("Stream: " + o.streamDir());
            return StreamDirectory.read(o.streamDir());
        }
        LabeledImages test = FashionMnist.load(o.fashionMnistDir(), FashionMnist.Split.TEST);
        out.printf("Stream: Fashion-MNIST-C, %d corruptions at severity %d, %d samples each%n",
                CorruptionStream.DEFAULT_ORDER.size(), o.severity(), o.samplesPerDomain());
        List<Corruption> order = CorruptionStream.DEFAULT_ORDER;
        return CorruptionStream.continual(test, order, o.severity(), o.seed(), o.samplesPerDomain());
    }

    private Config modelConfig() throws IOException {
        if (o.modelFile() != null) {
            return ConfigFactory.empty()
                    .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                    .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(o.modelFile().toString()));
        }
        Path weights = new SourceModelCache(o.cacheDir(), out)
                .weights(o.fashionMnistDir(), new TrainSettings(o.trainEpochs(), 128, 1e-3f, o.seed()), o.trainSamples());
        return ConfigFactory.empty().withValue("ctta.model.weights", ConfigValueFactory.fromAnyRef(weights.toString()));
    }

    private static double[] percentilesMs(ValueAtPercentile[] values) {
        double[] ms = {Double.NaN, Double.NaN};
        for (ValueAtPercentile v : values) {
            if (v.percentile() == 0.5) {
                ms[0] = v.value(TimeUnit.MILLISECONDS);
            } else if (v.percentile() == 0.99) {
                ms[1] = v.value(TimeUnit.MILLISECONDS);
            }
        }
        return ms;
    }
}
