package io.ctta.actors.demo;

import io.ctta.actors.model.ModelSource;

import io.ctta.runtime.model.ModelSpec;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.source.DatasetReader;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.actors.TopicAdmin;
import io.ctta.actors.broker.EmbeddedBroker;
import io.ctta.actors.broker.EmbeddedBrokerSpec;
import io.ctta.actors.broker.EmbeddedBrokers;
import io.ctta.streams.kafka.KafkaSettings;
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

    /**
     * Everything the demo can be told.
     *
     * @param streamDir where the stream is read from (a stream directory, or the dataset of
     *     {@code format}); null for Fashion-MNIST-C
     * @param format the dataset reader ({@code ctta replay --list-formats}); null: {@code stream-dir}
     *     with a {@code streamDir}, else {@code fashion-mnist-c}
     * @param formatOptions the reader's options ({@code -o name=value})
     * @param samplesPerDomain a cap per domain, or null for the stream's own (and the demo's
     *     Fashion-MNIST-C default)
     * @param severity the corruption severity, or null; only Fashion-MNIST-C has one
     * @param rgb the RGB demo: the built-in ResNet trained (once, cached) on colourised
     *     Fashion-MNIST, serving colourised Fashion-MNIST-C
     */
    public record Options(
            List<String> strategies,
            Path modelFile,
            Path streamDir,
            String format,
            Map<String, String> formatOptions,
            Path fashionMnistDir,
            Path cacheDir,
            Integer samplesPerDomain,
            Integer severity,
            int batchSize,
            long seed,
            int httpPort,
            int trainEpochs,
            int trainSamples,
            Path reportFile,
            boolean quick,
            boolean rgb) {

        /** Defaults; {@code quick} trades accuracy for a run of about a minute. */
        public static Options defaults(boolean quick) {
            return new Options(List.of("source", "tent"), null, null, null, Map.of(), FashionMnist.defaultDirectory(),
                    SourceModelCache.defaultDir(), null, null, 64, 1L, 9464, quick ? 1 : 3, quick ? 20000 : 60000,
                    Path.of("ctta-demo-report.md"), quick, false);
        }

        /** The cap per domain of the default Fashion-MNIST-C stream. */
        int defaultSamplesPerDomain() {
            return quick ? 300 : 2000;
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
        Config modelConf = modelConfig();
        try (DatasetSource source = openStream()) {
            return run(registry, source, modelConf);
        }
    }

    private DemoReport run(StrategyRegistry registry, DatasetSource source, Config modelConf) throws IOException {
        List<String> domainNames = source.domains().stream().map(DomainInfo::name).toList();
        out.println("Stream: " + source.description());

        // Every setting, strategy settings included, is validated before the broker starts.
        String input = "demo.input";
        List<Object> pipelines = new ArrayList<>();
        Map<String, String> predictionTopics = new LinkedHashMap<>();
        for (String s : o.strategies()) {
            String name = "demo-" + s;
            pipelines.add(Map.of("name", name, "input-topic", input, "strategy", s, "batch-size", o.batchSize()));
            predictionTopics.put(s, Topics.predictions(name));
        }
        Config user = ConfigFactory.empty()
                .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(pipelines))
                .withValue("ctta.model.source-data", ConfigValueFactory.fromAnyRef(o.rgb()
                        ? ModelSource.FASHION_MNIST_RGB + ":" + o.fashionMnistDir() : o.fashionMnistDir().toString()));
        for (String s : o.strategies()) {
            if (WARMING_UP.contains(s)) {
                // Warm-ups on source data are cached beside the source model.
                user = user.withValue("ctta.strategies." + s + ".cache-dir", ConfigValueFactory.fromAnyRef(o.cacheDir().toString()));
            }
        }
        if (o.quick()) {
            // A run of minutes: shorter warm-ups (the defaults are the papers', tens of thousands of samples).
            user = user.withValue("ctta.strategies.ecotta.warmup.max-steps", ConfigValueFactory.fromAnyRef(150))
                    .withValue("ctta.strategies.rmt.warmup-samples", ConfigValueFactory.fromAnyRef(4096))
                    .withValue("ctta.strategies.rmt.prototype-samples", ConfigValueFactory.fromAnyRef(4096));
        }
        user = user
                .withValue("ctta.http.port", ConfigValueFactory.fromAnyRef(o.httpPort()))
                .withFallback(modelConf);
        Config full = user.withFallback(ConfigFactory.load()).resolve();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry);

        out.println("Starting the embedded Kafka broker ...");
        try (EmbeddedBroker kafka = EmbeddedBrokers.start(EmbeddedBrokerSpec.temporary())) {
            TopicAdmin.ensure(new KafkaSettings(kafka.bootstrapServers(), Map.of()).admin(), List.of(input), 1);
            out.printf("Replaying %d domains into topic %s ...%n", domainNames.size(), input);
            Properties producer = new Properties();
            producer.put("bootstrap.servers", kafka.bootstrapServers());
            long perPipeline;
            try (ReplayProducer replay = new ReplayProducer(producer)) {
                // The replayed count, not the announced one: a bad image found while reading is skipped.
                perPipeline = replay.replay(new DomainRecords(source, "camera-0", System.currentTimeMillis()), input, null);
            }
            if (source.skips().total() > 0) {
                out.println(source.skips().summary());
            }

            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                if (runtime.httpPort() > 0) {
                    out.printf("Live dashboard: http://%s:%d/   metrics: http://%s:%d/metrics%n",
                            settings.http().host(), runtime.httpPort(), settings.http().host(), runtime.httpPort());
                }
                Map<String, PredictionTally> tallies;
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("predict").setInitialMax(perPipeline * o.strategies().size())
                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(out)).build()) {
                    tallies = new PredictionCollector(runtime.kafkaProperties())
                            .collect(predictionTopics, perPipeline, domainNames, Duration.ofSeconds(120), Duration.ofMinutes(30), bar::stepTo,
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
                DemoReport report = new DemoReport(domainNames, tallies, latencies, actions,
                        "Error per domain and on average: " + streamName() + (o.modelFile() == null ? "" : ", model " + o.modelFile().getFileName()));
                String md = report.toMarkdown();
                out.println();
                out.println(md);
                if (o.reportFile() != null) {
                    java.nio.file.Path png = o.reportFile().resolveSibling(o.reportFile().getFileName().toString().replaceFirst("\\.md$", "") + ".png");
                    report.writePng(png);
                    Files.writeString(o.reportFile(), "# ctta demo\n\n" + describe(source, perPipeline) + "\n\n" + md
                            + "\n![error per domain](" + png.getFileName() + ")\n");
                    out.println("Report written to " + o.reportFile().toAbsolutePath() + " (plot: " + png.getFileName() + ")");
                }
                return report;
            }
        }
    }

    /** The stream that was run, as the plot names it. */
    private String streamName() {
        if (o.streamDir() == null && o.format() == null) {
            return (o.rgb() ? "colourised " : "") + "Fashion-MNIST-C, severity " + (o.severity() == null ? 5 : o.severity());
        }
        return (o.format() == null ? "stream" : o.format()) + " " + o.streamDir().getFileName();
    }

    private String describe(DatasetSource source, long records) {
        return String.format("Stream: %s; %d domains, %d records. Batch %d, strategies %s, model %s.",
                source.description(), source.domains().size(), records, o.batchSize(), String.join(", ", o.strategies()),
                o.modelFile() != null ? o.modelFile() : o.rgb() ? "built-in ResNet (colourised Fashion-MNIST)" : "built-in CNN");
    }

    /**
     * The stream through the dataset-reader SPI: Fashion-MNIST-C by default, else {@code --format}
     * (default {@code stream-dir}) over {@code --stream}. {@code --samples-per-domain} and
     * {@code --severity} become the reader's options, so a format without them refuses them.
     */
    private DatasetSource openStream() throws IOException {
        Map<String, String> options = new LinkedHashMap<>(o.formatOptions());
        String format;
        Path location;
        if (o.streamDir() == null && o.format() == null) {
            format = "fashion-mnist-c";
            location = o.fashionMnistDir();
            options.putIfAbsent("severity", String.valueOf(o.severity() == null ? 5 : o.severity()));
            options.putIfAbsent("seed", String.valueOf(o.seed()));
            options.putIfAbsent("samples-per-domain", String.valueOf(o.samplesPerDomain() == null
                    ? o.defaultSamplesPerDomain() : o.samplesPerDomain()));
            if (o.rgb()) {
                options.putIfAbsent("color", "rgb");
            }
        } else {
            if (o.streamDir() == null) {
                throw new IllegalArgumentException("--format " + o.format() + " needs --stream DIR, the dataset's directory");
            }
            format = o.format() == null ? "stream-dir" : o.format();
            location = o.streamDir();
            if (o.samplesPerDomain() != null) {
                options.put("samples-per-domain", String.valueOf(o.samplesPerDomain()));
            }
            if (o.severity() != null) {
                options.put("severity", String.valueOf(o.severity()));
            }
        }
        DatasetReaders readers = DatasetReaders.load();
        DatasetReader reader = readers.reader(format);
        for (String name : options.keySet()) {
            if (reader.options().stream().noneMatch(r -> r.name().equals(name))) {
                String flag = name.equals("severity") ? "--severity" : name.equals("samples-per-domain") ? "--samples-per-domain"
                        : "-o " + name;
                throw new IllegalArgumentException(flag + " does not apply to the " + format + " stream (its options: "
                        + String.join(", ", reader.options().stream().map(ReaderOption::name).toList())
                        + "; ctta replay --list-formats)");
            }
        }
        return readers.open(format, location, ReaderOptions.of(options));
    }

    private Config modelConfig() throws IOException {
        if (o.modelFile() != null && o.modelFile().getFileName().toString().endsWith(".params")) {
            Path description = o.modelFile().resolveSibling(o.modelFile().getFileName() + ModelSpec.DESCRIPTION_SUFFIX);
            // The built-in ResNet's weights come with the description ctta train writes; a bare
            // parameter file holds the built-in CNN's (as bench tta reads them).
            return Files.isRegularFile(description) ? resNet(o.modelFile())
                    : ConfigFactory.empty().withValue("ctta.model.weights", ConfigValueFactory.fromAnyRef(o.modelFile().toString()));
        }
        if (o.modelFile() != null) {
            return ConfigFactory.empty()
                    .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                    .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(o.modelFile().toString()));
        }
        if (o.rgb()) {
            return resNet(rgbModel());
        }
        Path weights = new SourceModelCache(o.cacheDir(), out)
                .weights(o.fashionMnistDir(), new TrainSettings(o.trainEpochs(), 128, 1e-3f, o.seed()), o.trainSamples());
        return ConfigFactory.empty().withValue("ctta.model.weights", ConfigValueFactory.fromAnyRef(weights.toString()));
    }

    private static Config resNet(Path weights) {
        return ConfigFactory.empty()
                .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("builtin-resnet"))
                .withValue("ctta.model.weights", ConfigValueFactory.fromAnyRef(weights.toString()));
    }

    /** The built-in ResNet trained on colourised Fashion-MNIST, once: later runs load the cached weights. */
    private Path rgbModel() throws IOException {
        int epochs = o.quick() ? 1 : 3;
        Path file = o.cacheDir().resolve(String.format("builtin-resnet-v1-fashion-mnist-rgb-e%d-n%d-s%d.params", epochs,
                o.trainSamples(), o.seed()));
        if (Files.isRegularFile(file) && Files.isRegularFile(file.resolveSibling(file.getFileName() + ".json"))) {
            out.println("Source model: cached " + file);
            return file;
        }
        out.printf("Source model: training the built-in ResNet on %d colourised Fashion-MNIST images (%d epoch(s)); cached"
                + " afterwards%n", o.trainSamples(), epochs);
        io.ctta.actors.train.ResNetTraining.train("fashion-mnist", o.fashionMnistDir(),
                Map.of("split", "train", "color", "rgb", "seed", String.valueOf(o.seed())), 32, o.trainSamples(),
                new TrainSettings(epochs, 64, 2e-3f, o.seed()), file, out);
        return file;
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
