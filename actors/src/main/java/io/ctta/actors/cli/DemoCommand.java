package io.ctta.actors.cli;

import io.ctta.actors.demo.DemoRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctta demo}: the whole system on one machine, with a report at the end. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Trains (once, then cached) the built-in CNN on clean Fashion-MNIST, starts an embedded Kafka broker, "
                + "replays the corrupted test stream and serves it through one pipeline per strategy side by side, "
                + "then prints the error per corruption, samples/s and batch latency of each strategy.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "Small run (about a minute): fewer training images and samples per corruption.")
    boolean quick;

    @Option(names = "--rgb", description = "The RGB demo: the built-in ResNet, trained once on colourised Fashion-MNIST (cached),"
            + " serving colourised Fashion-MNIST-C frames.")
    boolean rgb;

    @Option(names = "--strategies", split = ",", description = "Strategies to compare (default: source,tent).")
    List<String> strategies;

    @Option(names = "--model", paramLabel = "FILE", description = "Your model instead of the built-in CNN: a TorchScript FILE.pt"
            + " (with FILE.pt.json beside it; docs/models.md), or the FILE.params of a built-in ResNet written by ctta train.")
    Path model;

    @Option(names = "--stream", paramLabel = "DIR", description = "The stream to serve instead of Fashion-MNIST-C: a stream directory"
            + " (manifest.json + IDX files per domain; docs/stream-directory.md), or the dataset directory of --format.")
    Path stream;

    @Option(names = "--format", paramLabel = "NAME", description = "How to read --stream: stream-dir (default), image-folder, iwildcam,"
            + " camelyon17, fmow, nevis, ... (ctta replay --list-formats lists them with their options).")
    String format;

    @Option(names = "-o", paramLabel = "NAME=VALUE", description = "An option of the stream's reader, e.g. -o split=test (repeatable).")
    Map<String, String> formatOptions;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--samples-per-domain", description = "At most this many samples per domain (Fashion-MNIST-C: default 2000,"
            + " 300 with --quick; another stream: all, or refused when its format has no such option).")
    Integer samplesPerDomain;

    @Option(names = "--severity", description = "Corruption severity 1..5 of Fashion-MNIST-C (default 5); refused for other streams.")
    Integer severity;

    @Option(names = "--batch-size", defaultValue = "64", description = "Micro-batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "1", description = "Root seed of the stream and the models (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--http-port", defaultValue = "9464", description = "Port of /metrics; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--report", paramLabel = "FILE", defaultValue = "ctta-demo-report.md", description = "Where to write the Markdown report (default ${DEFAULT-VALUE}).")
    Path report;

    @Override
    public Integer call() throws Exception {
        if (severity != null && (severity < 1 || severity > 5)) {
            throw new IllegalArgumentException("--severity must be 1..5, got " + severity);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        if (samplesPerDomain != null && samplesPerDomain < 1) {
            throw new IllegalArgumentException("--samples-per-domain must be positive, got " + samplesPerDomain);
        }
        DemoRun.Options d = DemoRun.Options.defaults(quick);
        DemoRun.Options o = new DemoRun.Options(
                strategies == null ? d.strategies() : strategies,
                model,
                stream,
                format,
                formatOptions == null ? Map.of() : formatOptions,
                data == null ? d.fashionMnistDir() : data,
                d.cacheDir(),
                samplesPerDomain,
                severity,
                batchSize,
                seed,
                httpPort,
                d.trainEpochs(),
                d.trainSamples(),
                report,
                quick,
                rgb);
        new DemoRun(o, System.out).run();
        return 0;
    }
}
