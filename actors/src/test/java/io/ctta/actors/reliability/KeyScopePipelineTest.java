package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.PredictionCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import io.micrometer.core.instrument.Gauge;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scope = key over the embedded broker: a TENT pipeline whose records carry 12 keys predicts every
 * record exactly alike whether its LRU holds 3 key states (most are evicted to files and read back
 * several times a batch) or all of them, and otherwise than one state for the whole pipeline.
 */
class KeyScopePipelineTest {
    static final int RECORDS = 768;
    static final int KEYS = 12;
    private static final String INPUT = "keyed.in";
    private static EmbeddedKafka kafka;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void produce() {
        kafka = EmbeddedKafka.start(null);
        kafka.createTopics(1, INPUT);
        produceKeyed(kafka, INPUT, RECORDS, KEYS, 13);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /**
     * {@code records} 28x28 images; record i belongs to key {@code cam-<j>} with j drawn at random
     * among {@code keys}, and each key has its own brightness, so that each key's state adapts
     * otherwise. The Kafka key is the record's key.
     */
    static void produceKeyed(EmbeddedKafka kafka, String topic, int records, int keys, long seed) {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Random rnd = new Random(seed);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                int k = rnd.nextInt(keys);
                float[] px = new float[784];
                int base = 10 + 15 * k;
                for (int j = 0; j < px.length; j++) {
                    px[j] = Math.min(255, base + rnd.nextInt(90));
                }
                String key = "cam-" + k;
                InferenceRecord r = new InferenceRecord("r-" + i, key, i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
            }
            producer.flush();
        }
    }

    private record Run(Map<String, float[]> scores, double evictions, double loads, double resident, double stateBytes) {}

    private static Run run(String name, String extra) throws Exception {
        Path ckpt = Files.createDirectories(tmp.resolve(name));
        try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, name, INPUT, "tent", 128, "5s", extra);
                KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions(name), false)) {
            Set<String> seen = new HashSet<>();
            ReliabilityKit.collect(c, seen, RECORDS);
            double evictions = ReliabilityKit.counter(runtime, "ctta.key.states.evictions", name);
            double loads = ReliabilityKit.counter(runtime, "ctta.key.states.loads", name);
            Gauge resident = runtime.registry().find("ctta.key.states.resident").tag("pipeline", name).gauge();
            Gauge bytes = runtime.registry().find("ctta.key.state.bytes").tag("pipeline", name).gauge();
            Map<String, float[]> scores = new HashMap<>();
            PredictionCodec codec = new PredictionCodec();
            for (ConsumerRecord<byte[], byte[]> r : ReliabilityKit.readAll(kafka, Topics.predictions(name), false)) {
                PredictionRecord pr = codec.decode(r.value());
                scores.putIfAbsent(pr.id(), pr.scores());
            }
            assertEquals(RECORDS, scores.size());
            return new Run(scores, evictions, loads, resident.value(), bytes.value());
        }
    }

    @Test
    void anLruOfThreeStatesPredictsExactlyLikeAnUnboundedOne() throws Exception {
        Run bounded = run("lru3", "scope = key, key-states.max-resident = 3");
        Run unbounded = run("lru-all", "scope = key, key-states.max-resident = 100000");
        Run pipeline = run("one-state", "scope = pipeline");

        for (Map.Entry<String, float[]> e : unbounded.scores().entrySet()) {
            assertArrayEquals(e.getValue(), bounded.scores().get(e.getKey()), "prediction for " + e.getKey());
        }
        int differ = 0;
        for (Map.Entry<String, float[]> e : unbounded.scores().entrySet()) {
            differ += java.util.Arrays.equals(e.getValue(), pipeline.scores().get(e.getKey())) ? 0 : 1;
        }
        assertTrue(differ > RECORDS / 2, "per-key states predict otherwise than one state: " + differ + " of " + RECORDS + " differ");

        assertTrue(bounded.evictions() > 100, "the bound evicted states: " + bounded.evictions());
        assertTrue(bounded.loads() > 100, "evicted states were read back: " + bounded.loads());
        assertTrue(bounded.resident() <= 3, "resident states " + bounded.resident());
        assertEquals(0, unbounded.evictions());
        assertEquals(KEYS, unbounded.resident());
        assertTrue(bounded.stateBytes() > 0 && bounded.stateBytes() == unbounded.stateBytes(), "state bytes " + bounded.stateBytes());
        System.out.printf("key scope: 12 keys, LRU 3: %.0f evictions, %.0f loads; %.0f bytes per key state (tent, built-in CNN)%n",
                bounded.evictions(), bounded.loads(), bounded.stateBytes());
    }
}
