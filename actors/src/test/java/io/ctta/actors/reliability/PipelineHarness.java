package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.streams.kafka.EmbeddedKafka;
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
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the overload and rebalance tests share: a runtime on an embedded broker, input, predictions. */
final class PipelineHarness {
    private PipelineHarness() {}

    /**
     * A runtime with one pipeline and checkpoints under {@code ckpt} (every {@code everyRecords}
     * records, not by time).
     *
     * @param extra more keys of the pipeline entry (HOCON), e.g. {@code strategy-settings { ... }}
     */
    static CttaRuntime start(EmbeddedKafka kafka, Path ckpt, String name, String input, String strategy, int everyRecords, String extra) {
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.checkpoints { dir = \"" + ckpt + "\", every-records = " + everyRecords + ", interval = 0s }\n"
                + "ctta.guards.collapse.enabled = false\n"
                + "ctta.pipelines = [{ name = " + name + ", input-topic = " + input + ", strategy = " + strategy
                + ", batch-size = 64, max-latency = 200ms, session-timeout = 6s, drift.detectors = [], " + extra + " }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka);
    }

    /**
     * Produces records {@code x-from .. x-(from+count-1)}, record i to partition i mod
     * {@code partitions}, as FLOAT32 28x28 tensors (about 3 kB each), and waits for every ack.
     *
     * @return the ids produced
     */
    static List<String> produce(EmbeddedKafka kafka, String topic, int from, int count, int partitions) {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Random rnd = new Random(from);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        List<String> ids = new ArrayList<>(count);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < from + count; i++) {
                float[] px = new float[784];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextFloat();
                }
                String id = "x-" + i;
                InferenceRecord r = new InferenceRecord(id, "k" + i, i, null, null, new Tensor(DType.FLOAT32, new int[] {1, 28, 28}, px));
                producer.send(new ProducerRecord<>(topic, i % partitions, null, ("k" + i).getBytes(StandardCharsets.UTF_8), codec.encode(r),
                        RecordCodec.headersFor()));
                ids.add(id);
            }
            producer.flush();
        }
        return ids;
    }

    /** A consumer of {@code topic} in a fresh group, from the beginning. */
    static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Polls {@code c} once (up to 100 ms) and counts the prediction ids it returned. */
    static void pollPredictions(KafkaConsumer<byte[], byte[]> c, Map<String, Integer> counts) {
        PredictionCodec codec = new PredictionCodec();
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
            counts.merge(codec.decode(r.value()).id(), 1, Integer::sum);
        }
    }

    /** Polls predictions into {@code counts} until {@code done} holds; fails after {@code limit}. */
    static void collectUntil(KafkaConsumer<byte[], byte[]> c, Map<String, Integer> counts, BooleanSupplier done, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + " (" + counts.size() + " distinct predictions so far)");
            pollPredictions(c, counts);
        }
    }

    /**
     * Every prediction in the topic, read from the beginning to its end offsets (call after the
     * runtime closed, so nothing more is coming): prediction count per id.
     */
    static Map<String, Integer> allPredictions(EmbeddedKafka kafka, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        PredictionCodec codec = new PredictionCodec();
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end");
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    counts.merge(codec.decode(r.value()).id(), 1, Integer::sum);
                }
            }
        }
        return counts;
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
