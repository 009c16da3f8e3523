package io.ctta.actors.cli;

import io.ctta.actors.demo.DomainRecords;
import io.ctta.streams.data.Corruption;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.data.StreamDirectory;
import io.ctta.streams.kafka.KafkaSettings;
import io.ctta.streams.kafka.ReplayProducer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctta replay}: a dataset, a corruption stream or a stream directory into a topic. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = "Writes a dataset or a corruption stream to a Kafka topic, domains in a fixed order, labels inline.")
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", required = true, description = "Topic to write to (must exist).")
    String topic;

    @Option(names = "--stream", paramLabel = "DIR", description = "A stream directory (manifest.json + IDX pairs).")
    Path stream;

    @Option(names = "--kind", defaultValue = "corruptions",
            description = "What to replay when no --stream is given: corruptions (Fashion-MNIST-C test stream), "
                    + "label-permuted or input-permuted (Fashion-MNIST training set, permuted every --task-length samples). Default ${DEFAULT-VALUE}.")
    String kind;

    @Option(names = "--tasks", defaultValue = "100", description = "Tasks of a permuted stream (default ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--task-length", defaultValue = "256", description = "Samples per task of a permuted stream (default ${DEFAULT-VALUE}).")
    int taskLength;

    @Option(names = "--label-delay", defaultValue = "-1",
            description = "Records between a record and its label: labels go to --feedback-topic as feedback records instead of inline. "
                    + "-1 (default) keeps labels inline.")
    int labelDelay;

    @Option(names = "--feedback-topic", description = "Where delayed labels go (the pipeline's <pipeline>.feedback).")
    String feedbackTopic;

    @Option(names = "--corruptions", split = ",", description = "Corruptions in order (default: all, the standard order); 'none' replays the clean test set.")
    List<String> corruptions;

    @Option(names = "--severity", defaultValue = "5", description = "Severity 1..5 (default ${DEFAULT-VALUE}).")
    int severity;

    @Option(names = "--samples-per-domain", defaultValue = "10000", description = "Samples per domain (default ${DEFAULT-VALUE}).")
    int samplesPerDomain;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the corruptions (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--key", defaultValue = "stream-0", description = "Record key (default ${DEFAULT-VALUE}).")
    String key;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client setting (repeatable).")
    Map<String, String> kafkaProperties;

    @Override
    public Integer call() throws Exception {
        List<Domain> domains;
        if (labelDelay >= 0 && feedbackTopic == null) {
            throw new IllegalArgumentException("--label-delay needs --feedback-topic (the pipeline's <pipeline>.feedback topic)");
        }
        if (stream != null) {
            domains = StreamDirectory.read(stream);
        } else if (kind.equals("label-permuted") || kind.equals("input-permuted")) {
            LabeledImages train = FashionMnist.load(data == null ? FashionMnist.defaultDirectory() : data, FashionMnist.Split.TRAIN);
            domains = kind.equals("label-permuted")
                    ? io.ctta.streams.data.PermutedStreams.labelPermuted(train, tasks, taskLength, 10, seed)
                    : io.ctta.streams.data.PermutedStreams.inputPermuted(train, tasks, taskLength, seed);
        } else if (!kind.equals("corruptions")) {
            throw new IllegalArgumentException("--kind must be corruptions, label-permuted or input-permuted, got " + kind);
        } else {
            LabeledImages test = FashionMnist.load(data == null ? FashionMnist.defaultDirectory() : data, FashionMnist.Split.TEST);
            if (corruptions != null && corruptions.equals(List.of("none"))) {
                domains = List.of(new Domain("clean", test.slice(0, Math.min(samplesPerDomain, test.count()))));
            } else {
                List<Corruption> order = new ArrayList<>();
                if (corruptions == null) {
                    order.addAll(CorruptionStream.DEFAULT_ORDER);
                } else {
                    for (String c : corruptions) {
                        order.add(Corruption.fromId(c));
                    }
                }
                domains = CorruptionStream.continual(test, order, severity, seed, samplesPerDomain);
            }
        }
        var props = new KafkaSettings(bootstrap, kafkaProperties == null ? Map.of() : kafkaProperties).producer();
        long n;
        try (ReplayProducer producer = new ReplayProducer(props)) {
            var records = new DomainRecords(domains, key, System.currentTimeMillis());
            n = labelDelay >= 0 ? producer.replayWithDelayedLabels(records, topic, feedbackTopic, labelDelay, null)
                    : producer.replay(records, topic, null);
        }
        System.out.printf("replayed %d records (%d domains) to %s%n", n, domains.size(), topic);
        return 0;
    }
}
