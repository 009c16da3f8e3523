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
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the reliability tests share: a runtime with one pipeline, input records, reading topics. */
final class ReliabilityKit {
    private ReliabilityKit() {}

    /**
     * A runtime with one pipeline on {@code kafka}, checkpoints under {@code ckpt} every 128
     * records, collapse guard off; {@code extra} is HOCON added inside the pipeline's block.
     */
    static CttaRuntime start(EmbeddedKafka kafka, Path ckpt, String name, String input, String strategy, String extra) {
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.checkpoints { dir = \"" + ckpt + "\", every-records = 128, interval = 0s }\n"
                + "ctta.guards.collapse.enabled = false\n"
                + "ctta.pipelines = [{ name = " + name + ", input-topic = " + input + ", strategy = " + strategy
                + ", batch-size = 64, max-latency = 2s, session-timeout = 6s, drift.detectors = [], " + extra + " }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka);
    }

    /** Random 28x28 uint8 images with ids {@code x-<i>}; {@code special} may replace pixel arrays. */
    static void produce(EmbeddedKafka kafka, String topic, int partitions, int records, IntFunction<float[]> special) {
        kafka.createTopics(partitions, topic);
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Random rnd = new Random(2);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                float[] px = special.apply(i);
                if (px == null) {
                    px = new float[784];
                    for (int j = 0; j < px.length; j++) {
                        px[j] = rnd.nextInt(256);
                    }
                }
                InferenceRecord r = new InferenceRecord("x-" + i, "k" + (i % 7), i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                producer.send(new ProducerRecord<>(topic, i % partitions, ("k" + i).getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
            }
            producer.flush();
        }
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

    /** Every record of a topic's partitions up to their current end (the last stable offset with read_committed). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic, boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end");
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
