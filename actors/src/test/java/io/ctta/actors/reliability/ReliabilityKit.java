package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.PredictionCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import io.micrometer.core.instrument.Counter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the reliability tests share: a runtime with one pipeline on an embedded broker, random image
 * records as input, consumers that collect predictions, and reading a topic to its end. Public
 * for {@link #collect}, which tests in other packages use too.
 */
public final class ReliabilityKit {
    private static final int[] IMAGE_SHAPE = {1, 28, 28};
    private static final int PIXELS = 784;
    private static final Duration POLL = Duration.ofMillis(100);

    private ReliabilityKit() {}

    /**
     * A runtime with one pipeline on {@code kafka}, checkpoints under {@code ckpt} every 128
     * records, max-latency 2 s, collapse guard off; {@code extra} is HOCON added inside the
     * pipeline's block.
     */
    static CttaRuntime start(EmbeddedKafka kafka, Path ckpt, String name, String input, String strategy, String extra) {
        return start(kafka, ckpt, name, input, strategy, 128, "2s", extra);
    }

    /**
     * A runtime with one pipeline on {@code kafka}, checkpoints under {@code ckpt} every
     * {@code everyRecords} records (not by time), batches of 64 closed after {@code maxLatency}
     * (HOCON duration), collapse guard off.
     *
     * @param extra more keys of the pipeline entry (HOCON), e.g. {@code strategy-settings { ... }}
     */
    static CttaRuntime start(EmbeddedKafka kafka, Path ckpt, String name, String input, String strategy, int everyRecords,
            String maxLatency, String extra) {
        return start(kafka, ckpt, name, input, strategy, everyRecords, "0s", maxLatency, extra);
    }

    /** As above, with checkpoints also every {@code checkpointInterval} (HOCON duration; 0s: not by time). */
    static CttaRuntime start(EmbeddedKafka kafka, Path ckpt, String name, String input, String strategy, int everyRecords,
            String checkpointInterval, String maxLatency, String extra) {
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.checkpoints { dir = \"" + ckpt + "\", every-records = " + everyRecords + ", interval = " + checkpointInterval + " }\n"
                + "ctta.guards.collapse.enabled = false\n"
                + "ctta.pipelines = [{ name = " + name + ", input-topic = " + input + ", strategy = " + strategy
                + ", batch-size = 64, max-latency = " + maxLatency + ", session-timeout = 6s, drift.detectors = [], " + extra + " }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions and produces random 28x28 UINT8
     * images {@code x-0 .. x-(records-1)}, record i to partition i mod {@code partitions};
     * {@code special} may replace a record's pixel array (null: random pixels). Waits for every ack.
     *
     * @return the ids produced
     */
    static List<String> produce(EmbeddedKafka kafka, String topic, int partitions, int records, IntFunction<float[]> special) {
        kafka.createTopics(partitions, topic);
        Random rnd = new Random(2);
        return send(kafka, topic, 0, records, partitions, i -> {
            float[] px = special.apply(i);
            if (px == null) {
                px = new float[PIXELS];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextInt(256);
                }
            }
            return new InferenceRecord("x-" + i, "k" + (i % 7), i, null, null, new Tensor(DType.UINT8, IMAGE_SHAPE, px));
        });
    }

    /**
     * Produces random FLOAT32 28x28 images {@code x-from .. x-(from+count-1)} (about 3 kB each) to
     * an existing {@code topic}, record i to partition i mod {@code partitions}, and waits for every
     * ack.
     *
     * @return the ids produced
     */
    static List<String> produceFloat32(EmbeddedKafka kafka, String topic, int from, int count, int partitions) {
        Random rnd = new Random(from);
        return send(kafka, topic, from, count, partitions, i -> {
            float[] px = new float[PIXELS];
            for (int j = 0; j < px.length; j++) {
                px[j] = rnd.nextFloat();
            }
            return new InferenceRecord("x-" + i, "k" + i, i, null, null, new Tensor(DType.FLOAT32, IMAGE_SHAPE, px));
        });
    }

    /** Sends {@code record(i)} for i in {@code from .. from+count-1} to partition i mod {@code partitions}, Kafka key {@code k<i>}. */
    private static List<String> send(EmbeddedKafka kafka, String topic, int from, int count, int partitions, IntFunction<InferenceRecord> record) {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        List<String> ids = new ArrayList<>(count);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < from + count; i++) {
                InferenceRecord r = record.apply(i);
                producer.send(new ProducerRecord<>(topic, i % partitions, ("k" + i).getBytes(StandardCharsets.UTF_8), codec.encode(r),
                        RecordCodec.headersFor()));
                ids.add(r.id());
            }
            producer.flush();
        }
        return ids;
    }

    /** A consumer of {@code topic} from the beginning, in a fresh group. */
    static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic, boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Polls {@code c} once (up to 100 ms) and counts the prediction ids it returned. */
    static void pollPredictions(KafkaConsumer<byte[], byte[]> c, Map<String, Integer> counts) {
        pollPredictions(c, (String id) -> counts.merge(id, 1, Integer::sum));
    }

    /** Polls prediction ids into {@code seen} until it holds {@code until}; fails after 120 s. */
    public static void collect(KafkaConsumer<byte[], byte[]> c, Set<String> seen, int until) {
        pollUntil(c, seen::add, () -> seen.size() >= until, Duration.ofSeconds(120),
                () -> "only " + seen.size() + " of " + until + " predictions");
    }

    /**
     * Collects 300 predictions into {@code seen}, stops and restarts the broker, then collects
     * until {@code seen} holds {@code records}.
     *
     * @return milliseconds from the broker being back to the first new prediction
     */
    static double collectAcrossBrokerRestart(EmbeddedKafka kafka, KafkaConsumer<byte[], byte[]> c, Set<String> seen, int records) {
        collect(c, seen, 300);
        kafka.stop();
        kafka.restart();
        long restarted = System.nanoTime();
        collect(c, seen, seen.size() + 1);
        double firstMs = (System.nanoTime() - restarted) / 1e6;
        collect(c, seen, records);
        return firstMs;
    }

    /** Polls predictions into {@code counts} until {@code done} holds; fails after {@code limit}. */
    static void collectUntil(KafkaConsumer<byte[], byte[]> c, Map<String, Integer> counts, BooleanSupplier done, Duration limit, String what) {
        pollUntil(c, id -> counts.merge(id, 1, Integer::sum), done, limit,
                () -> "timed out waiting for " + what + " (" + counts.size() + " distinct predictions so far)");
    }

    private static void pollUntil(KafkaConsumer<byte[], byte[]> c, Consumer<String> ids, BooleanSupplier done, Duration limit,
            Supplier<String> failure) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure);
            pollPredictions(c, ids);
        }
    }

    static void pollPredictions(KafkaConsumer<byte[], byte[]> c, Consumer<String> ids) {
        PredictionCodec codec = new PredictionCodec();
        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
            ids.accept(codec.decode(r.value()).id());
        }
    }

    /** Every record of a topic's partitions up to their current end (the last stable offset with read_committed). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic, boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end");
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Prediction count per id in {@code predictions} (records of a predictions topic). */
    static Map<String, Integer> predictionCounts(List<ConsumerRecord<byte[], byte[]>> predictions) {
        PredictionCodec codec = new PredictionCodec();
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : predictions) {
            counts.merge(codec.decode(r.value()).id(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Every prediction in the topic, read from the beginning to its end offsets (call after the
     * runtime closed, so nothing more is coming): prediction count per id.
     */
    static Map<String, Integer> allPredictions(EmbeddedKafka kafka, String topic) {
        return predictionCounts(readAll(kafka, topic, false));
    }

    /** Every prediction in the topic up to its end offsets, decoded, in order (duplicates included). */
    static List<io.ctta.streams.record.PredictionRecord> decodedPredictions(EmbeddedKafka kafka, String topic, boolean readCommitted) {
        PredictionCodec codec = new PredictionCodec();
        List<io.ctta.streams.record.PredictionRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(kafka, topic, readCommitted)) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }

    /** How many distinct record ids have a prediction in the topic now. */
    static int distinctPredictions(EmbeddedKafka kafka, String topic) {
        return (int) decodedPredictions(kafka, topic, false).stream().map(io.ctta.streams.record.PredictionRecord::id).distinct().count();
    }

    /**
     * Waits until {@code n} distinct records have a prediction in {@code topic}, written by a child
     * JVM; fails when the worker dies or after 180 s, naming its log.
     */
    static void awaitDistinctPredictions(EmbeddedKafka kafka, String topic, int n, Process worker, Path log) {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, topic, false)) {
            Set<String> ids = new java.util.HashSet<>();
            PredictionCodec codec = new PredictionCodec();
            while (ids.size() < n) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + n + " predictions on " + topic + ", have " + ids.size()
                        + "; log: " + log.toAbsolutePath());
                assertTrue(worker.isAlive(), "worker died early; see " + log.toAbsolutePath());
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    ids.add(codec.decode(r.value()).id());
                }
            }
        }
    }

    /** SIGTERM: the worker drains and writes its final checkpoint; fails if it has not stopped in 60 s. */
    static void stopGracefully(Process worker) throws InterruptedException {
        worker.destroy();
        assertTrue(worker.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "worker should stop on SIGTERM");
    }

    /**
     * Waits until {@code group} has committed {@code offset} on partition 0 of {@code input}: the
     * worker applied every record before it and a checkpoint covers them. Fails when the worker
     * dies or after 180 s, naming its log.
     */
    static void awaitCommitted(String bootstrap, String group, String input, long offset, Process worker, java.nio.file.Path log) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition tp = new TopicPartition(input, 0);
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            while (true) {
                var committed = c.committed(Set.of(tp), Duration.ofSeconds(10)).get(tp);
                if (committed != null && committed.offset() >= offset) {
                    return;
                }
                assertTrue(worker.isAlive(), "worker died early; see " + log.toAbsolutePath());
                assertTrue(System.nanoTime() < deadline, group + " did not commit offset " + offset + " within 180 s (now " + committed
                        + "); log: " + log.toAbsolutePath());
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    /** The value of a pipeline's counter (ctta.records.consumed, ctta.predictions, ...). */
    static double counter(CttaRuntime runtime, String meter, String pipeline) {
        Counter c = runtime.registry().find(meter).tag("pipeline", pipeline).counter();
        return c == null ? 0 : c.count();
    }

    /** Heap in use right after a full collection, in bytes. */
    static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
