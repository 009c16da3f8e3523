package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.streams.kafka.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.PredictionCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery inside one process: the broker restarts mid-stream, or the model actor crashes under
 * supervision; either way every record gets a prediction and, resumed from its checkpoint, the
 * model applies each record exactly once.
 */
class ResilienceTest {

    private static final int RECORDS = 1024;

    @Test
    void aBrokerRestartMidStreamLosesNothing(@TempDir Path ckpt) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            produce(kafka, "rb.in");
            try (CttaRuntime runtime = start(kafka, ckpt, "rb", "rb.in", "tent", "")) {
                Set<String> seen = new HashSet<>();
                try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, Topics.predictions("rb"))) {
                    collect(c, seen, 300);
                    kafka.stop();
                    kafka.restart();
                    long restarted = System.nanoTime();
                    int before = seen.size();
                    collect(c, seen, before + 1);
                    System.out.printf("broker restart: first prediction %.0f ms after the broker was back%n", (System.nanoTime() - restarted) / 1e6);
                    collect(c, seen, RECORDS);
                }
                assertEquals(RECORDS, seen.size(), "no record lost across the broker restart");
            }
            assertEquals(RECORDS, new FileCheckpointStore(ckpt, "rb").load().latest().orElseThrow().recordsApplied());
        }
    }

    @Test
    void aModelActorCrashResumesFromTheCheckpointAndLosesNothing(@TempDir Path ckpt) throws Exception {
        Path marker = ckpt.resolve("crashed");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            produce(kafka, "ac.in");
            Set<String> seen = new HashSet<>();
            try (CttaRuntime runtime = start(kafka, ckpt, "ac", "ac.in", "crash-once",
                    "strategy-settings { crash-at-batch = 9, marker = \"" + marker + "\" }")) {
                try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, Topics.predictions("ac"))) {
                    collect(c, seen, 1);
                    long longestPause = 0;
                    long last = System.nanoTime();
                    while (seen.size() < RECORDS) {
                        int before = seen.size();
                        collect(c, seen, before + 1);
                        long now = System.nanoTime();
                        longestPause = Math.max(longestPause, now - last);
                        last = now;
                    }
                    System.out.printf("actor crash: longest pause between new predictions %.0f ms (crash, restart, rewind, rejoin)%n", longestPause / 1e6);
                }
            }
            assertTrue(Files.exists(marker), "the injected crash happened");
            assertEquals(RECORDS, seen.size());
            assertEquals(RECORDS, new FileCheckpointStore(ckpt, "ac").load().latest().orElseThrow().recordsApplied(),
                    "after the crash the model resumed from its checkpoint: each record applied once");
        }
    }

    private static CttaRuntime start(EmbeddedKafka kafka, Path ckpt, String name, String input, String strategy, String extra) {
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

    private static void produce(EmbeddedKafka kafka, String topic) throws Exception {
        kafka.createTopics(1, topic);
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Random rnd = new Random(2);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                float[] px = new float[784];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextInt(256);
                }
                InferenceRecord r = new InferenceRecord("x-" + i, "k", i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                producer.send(new ProducerRecord<>(topic, null, "k".getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static void collect(KafkaConsumer<byte[], byte[]> c, Set<String> seen, int until) {
        PredictionCodec codec = new PredictionCodec();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (seen.size() < until) {
            assertTrue(System.nanoTime() < deadline, "only " + seen.size() + " of " + until + " predictions");
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                seen.add(codec.decode(r.value()).id());
            }
        }
    }
}
