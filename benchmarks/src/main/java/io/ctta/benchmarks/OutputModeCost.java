package io.ctta.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.demo.DemoRun;
import io.ctta.actors.demo.DomainRecords;
import io.ctta.actors.demo.SourceModelCache;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.kafka.ReplayProducer;
import io.ctta.streams.record.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The throughput cost of exactly-once output against at-least-once: the same Fashion-MNIST-C
 * stream through one pipeline of the same strategy, checkpoints on, once per mode and round, in
 * one JVM on one embedded broker. Throughput is records over the time from the pipeline's start
 * to the last prediction a consumer (read_committed for exactly-once) sees, so it includes the
 * visibility delay of the last transaction.
 *
 * <p>Usage: {@code java -cp ... io.ctta.benchmarks.OutputModeCost [samplesPerDomain] [strategy] [rounds]}
 */
public final class OutputModeCost {

    private OutputModeCost() {}

    public static void main(String[] args) throws Exception {
        int perDomain = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String strategy = args.length > 1 ? args[1] : "tent";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long seed = 1;
        DemoRun.Options d = DemoRun.Options.defaults(false);
        Path weights = new SourceModelCache(d.cacheDir(), System.out)
                .weights(d.fashionMnistDir(), new TrainSettings(d.trainEpochs(), 128, 1e-3f, seed), d.trainSamples());
        LabeledImages test = FashionMnist.load(d.fashionMnistDir(), FashionMnist.Split.TEST);
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, seed, perDomain);
        long records = DomainRecords.count(domains);
        StrategyRegistry registry = StrategyRegistry.load();
        Path ckpt = Files.createTempDirectory("ctta-eos-bench");

        List<String[]> rows = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            String input = "bench.input";
            kafka.createTopics(1, input);
            Properties producer = new Properties();
            producer.put("bootstrap.servers", kafka.bootstrapServers());
            try (ReplayProducer replay = new ReplayProducer(producer)) {
                replay.replay(new DomainRecords(domains, "camera-0", System.currentTimeMillis()), input, null);
            }
            double[] alo = new double[rounds];
            double[] eos = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                alo[r] = run(kafka, registry, weights, ckpt, input, strategy, "at-least-once", r, records);
                eos[r] = run(kafka, registry, weights, ckpt, input, strategy, "exactly-once", r, records);
                System.out.printf(Locale.ROOT, "round %d: at-least-once %.0f, exactly-once %.0f samples/s (ratio %.2f)%n", r + 1, alo[r], eos[r], eos[r] / alo[r]);
            }
            double a = java.util.Arrays.stream(alo).average().orElseThrow();
            double e = java.util.Arrays.stream(eos).average().orElseThrow();
            System.out.println();
            System.out.printf(Locale.ROOT, "| strategy | records | at-least-once samples/s | exactly-once samples/s | exactly-once / at-least-once |%n");
            System.out.println("|---|---:|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f |%n", strategy, records, a, e, e / a);
        }
    }

    private static double run(EmbeddedKafka kafka, StrategyRegistry registry, Path weights, Path ckpt, String input, String strategy,
            String mode, int round, long records) throws Exception {
        String name = "bench-" + (mode.startsWith("exactly") ? "eos" : "alo") + "-" + round;
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.model.weights = \"" + weights + "\"\n"
                + "ctta.checkpoints { dir = \"" + ckpt + "\" }\n"
                + "ctta.pipelines = [{ name = " + name + ", input-topic = " + input + ", strategy = " + strategy
                + ", batch-size = 64, output.mode = " + mode + " }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-check-" + name);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.predictions(name)));
            long t0 = System.nanoTime();
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                Set<String> seen = new HashSet<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (seen.size() < records) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(mode + ": only " + seen.size() + " of " + records + " predictions");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        seen.add(new String(r.key() == null ? new byte[0] : r.key()) + "/" + r.offset());
                    }
                }
                return records * 1e9 / (System.nanoTime() - t0);
            }
        }
    }
}
