package io.ctta.actors.cli;

import io.ctta.streams.kafka.KafkaSettings;
import io.ctta.streams.kafka.ReplayProducer;
import io.ctta.streams.source.DatasetReader;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.SourceRecords;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ctta replay}: a dataset, in its own on-disk layout, into a topic, domains in a fixed order.
 * The dataset is read by a reader of the dataset-reader SPI, chosen with {@code --format} (or, as
 * before, by {@code --stream} and {@code --kind}); reader options go in {@code --option name=value}.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {"Writes a dataset to a Kafka topic, domains in a fixed order, labels inline or as delayed feedback.",
                "Formats: fashion-mnist-c (default), fashion-mnist, label-permuted, input-permuted, stream-dir, image-folder,"
                        + " iwildcam, camelyon17, fmow, nevis; --list-formats shows each one's options (docs/datasets.md)."})
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers (required).")
    String bootstrap;

    @Option(names = "--topic", description = "Topic to write to (must exist; required).")
    String topic;

    @Option(names = "--format", paramLabel = "NAME", description = "The dataset format (a reader name); --list-formats lists them.")
    String format;

    @Option(names = "--data", paramLabel = "DIR", description = "Where the dataset is (for Fashion-MNIST formats default"
            + " /usr/share/datasets/fashion-mnist); --list-formats says what each format expects.")
    Path data;

    @Option(names = {"--option", "-o"}, paramLabel = "NAME=VALUE", description = "A reader option (repeatable), e.g. -o split=test.")
    Map<String, String> options;

    @Option(names = "--list-formats", description = "List the dataset formats and their options, then exit.")
    boolean listFormats;

    @Option(names = "--stream", paramLabel = "DIR", description = "A stream directory (manifest.json + IDX pairs): --format stream-dir --data DIR.")
    Path stream;

    @Option(names = "--kind", description = "Without --format: corruptions (Fashion-MNIST-C test stream, the default), "
            + "label-permuted or input-permuted (Fashion-MNIST training set, permuted every --task-length samples).")
    String kind;

    @Option(names = "--tasks", description = "Tasks of a permuted stream (default 100); the option tasks.")
    Integer tasks;

    @Option(names = "--task-length", description = "Samples per task of a permuted stream (default 256); the option task-length.")
    Integer taskLength;

    @Option(names = "--corruptions", split = ",", description = "Corruptions in order (default: all, the standard order); 'none' replays the clean test set.")
    List<String> corruptions;

    @Option(names = "--severity", description = "Corruption severity 1..5 (default 5); the option severity.")
    Integer severity;

    @Option(names = "--samples-per-domain", description = "Most samples per domain (default: the format's, 10000 for corruptions,"
            + " else all); the option samples-per-domain.")
    Integer samplesPerDomain;

    @Option(names = "--max-side", paramLabel = "N", description = "Shrink images whose longer side exceeds N pixels (area average);"
            + " the option max-side. Large photographs need it to fit in a Kafka record.")
    Integer maxSide;

    @Option(names = "--seed", description = "Seed of the stream (default: the format's, 1 for the Fashion-MNIST streams); the option seed.")
    Long seed;

    @Option(names = "--label-delay", defaultValue = "-1",
            description = "Records between a record and its label: labels go to --feedback-topic as feedback records instead of inline. "
                    + "-1 (default) keeps labels inline.")
    int labelDelay;

    @Option(names = "--feedback-topic", description = "Where delayed labels go (the pipeline's <pipeline>.feedback).")
    String feedbackTopic;

    @Option(names = "--key", defaultValue = "stream-0", description = "Record key (default ${DEFAULT-VALUE}).")
    String key;

    @Option(names = "--max-record-bytes", defaultValue = "1000000",
            description = "Skip (and count) a record that would encode larger than this (default ${DEFAULT-VALUE}, under Kafka's 1 MiB).")
    int maxRecordBytes;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client setting (repeatable).")
    Map<String, String> kafkaProperties;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        DatasetReaders readers = DatasetReaders.load();
        if (listFormats) {
            printFormats(readers);
            return 0;
        }
        if (bootstrap == null || topic == null) {
            throw new IllegalArgumentException("--bootstrap and --topic are required (the broker and the input topic)");
        }
        if (labelDelay >= 0 && feedbackTopic == null) {
            throw new IllegalArgumentException("--label-delay needs --feedback-topic (the pipeline's <pipeline>.feedback topic)");
        }
        String chosen = format();
        DatasetReader reader = readers.reader(chosen);
        Path location = stream != null ? stream : data;
        ReaderOptions readerOptions = ReaderOptions.of(readerOptions(chosen)).checkKnown(reader);
        var props = new KafkaSettings(bootstrap, kafkaProperties == null ? Map.of() : kafkaProperties).producer();
        DatasetSource opened;
        try {
            opened = reader.open(location, readerOptions);
        } catch (java.io.IOException e) {
            // A missing directory or a malformed metadata file is the user's to fix: one clear line, no stack trace.
            throw new IllegalArgumentException("cannot read the " + chosen + " dataset: " + e.getMessage(), e);
        }
        try (DatasetSource source = opened) {
            List<DomainInfo> domains = source.domains();
            out.println(source.description());
            out.printf(Locale.ROOT, "replaying up to %d records in %d domains: %s%n", DomainInfo.total(domains), domains.size(),
                    names(domains));
            long n;
            long t0 = System.nanoTime();
            try (ReplayProducer producer = new ReplayProducer(props)) {
                var records = new SourceRecords(source, key, System.currentTimeMillis(), maxRecordBytes);
                n = labelDelay >= 0 ? producer.replayWithDelayedLabels(records, topic, feedbackTopic, labelDelay, null)
                        : producer.replay(records, topic, null);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf("replayed %d records (%d domains) to %s%n", n, domains.size(), topic);
            out.printf(Locale.ROOT, "%.1f s, %.0f records/s%n", seconds, n / Math.max(seconds, 1e-9));
            out.println(source.skips().summary());
        }
        return 0;
    }

    /** The format: --format, else stream-dir for --stream, else what --kind and --corruptions name. */
    private String format() {
        if (stream != null) {
            if (format != null && !format.equals("stream-dir")) {
                throw new IllegalArgumentException("--stream is a stream directory; it cannot be combined with --format " + format);
            }
            if (data != null) {
                throw new IllegalArgumentException("--stream names the data already; leave out --data");
            }
            return "stream-dir";
        }
        if (format != null) {
            if (kind != null) {
                throw new IllegalArgumentException("--kind chooses among the Fashion-MNIST streams; with --format leave it out");
            }
            return format;
        }
        String k = kind == null ? "corruptions" : kind;
        return switch (k) {
            case "corruptions" -> corruptions != null && corruptions.equals(List.of("none")) ? "fashion-mnist" : "fashion-mnist-c";
            case "label-permuted", "input-permuted" -> k;
            default -> throw new IllegalArgumentException("--kind must be corruptions, label-permuted or input-permuted, got " + k);
        };
    }

    /** --option entries, plus the shorthand options that were given (each is the reader option of the same meaning). */
    private Map<String, String> readerOptions(String chosen) {
        Map<String, String> o = new LinkedHashMap<>(options == null ? Map.of() : options);
        put(o, "tasks", tasks);
        put(o, "task-length", taskLength);
        put(o, "severity", severity);
        put(o, "samples-per-domain", samplesPerDomain);
        put(o, "max-side", maxSide);
        put(o, "seed", seed);
        if (corruptions != null && !chosen.equals("fashion-mnist")) {
            put(o, "corruptions", String.join(",", corruptions));
        }
        return o;
    }

    private static void put(Map<String, String> options, String name, Object value) {
        if (value != null) {
            String previous = options.put(name, value.toString());
            if (previous != null && !previous.equals(value.toString())) {
                throw new IllegalArgumentException("--" + name + " " + value + " and --option " + name + "=" + previous
                        + " disagree; give one of them");
            }
        }
    }

    private static String names(List<DomainInfo> domains) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < domains.size() && i < 8; i++) {
            sb.append(i == 0 ? "" : ", ").append(domains.get(i).name()).append(" (").append(domains.get(i).count()).append(')');
        }
        return domains.size() > 8 ? sb + ", ... (" + (domains.size() - 8) + " more)" : sb.toString();
    }

    private void printFormats(DatasetReaders readers) {
        for (DatasetReader r : readers.all()) {
            out.printf("%s: %s%n  --data: %s%n", r.name(), r.description(), r.locationHelp());
            for (ReaderOption o : r.options()) {
                out.printf("  -o %s=... (default %s): %s%n", o.name(), o.defaultValue(), o.description());
            }
        }
    }
}
