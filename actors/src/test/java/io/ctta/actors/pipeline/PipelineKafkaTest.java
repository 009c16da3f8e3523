package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.PredictionCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spine end to end through a real in-process broker: records in, one prediction per record
 * out, in order per partition, malformed records dead-lettered without stopping the stream,
 * metrics served over HTTP.
 */
class PipelineKafkaTest {

    private static final int PARTITIONS = 3;
    private static final int GOOD = 450;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(null);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void everyRecordGetsExactlyOnePredictionInPartitionOrderAndBadRecordsAreDeadLettered() throws Exception {
        String input = "spine.input";
        kafka.createTopics(PARTITIONS, input);
        // Input offsets of good records, per partition, in produce order.
        Map<Integer, List<String>> producedIds = new HashMap<>();
        RecordCodec codec = new RecordCodec(new RecordLimits(1 << 20, 8, 784, new int[] {1, 28, 28}));
        Random rnd = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < GOOD; i++) {
                String key = "camera-" + (i % 5);
                float[] px = new float[784];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextInt(256);
                }
                InferenceRecord r = new InferenceRecord("id-" + i, key, 1000L + i, "d" + (i / 150), i % 10, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                ProducerRecord<byte[], byte[]> pr = new ProducerRecord<>(input, null, key.getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor());
                RecordMetadata md = producer.send(pr).get();
                producedIds.computeIfAbsent(md.partition(), p -> new ArrayList<>()).add(r.id());
                if (i == 100 || i == 101 || i == 300) {
                    // Garbage in the middle of the stream: it must be dead-lettered and the stream go on.
                    producer.send(new ProducerRecord<>(input, md.partition(), key.getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3, 4, 5})).get();
                }
            }
        }

        Config user = ConfigFactory.empty()
                .withValue("ctta.http.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(List.of(
                        Map.of("name", "spine-source", "input-topic", input, "strategy", "source", "batch-size", 32),
                        Map.of("name", "spine-tent", "input-topic", input, "strategy", "tent", "batch-size", 32))));
        Config full = user.withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());

        try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
            for (String pipeline : List.of("spine-source", "spine-tent")) {
                List<ConsumerRecord<byte[], byte[]>> predictions = consume(Topics.predictions(pipeline), GOOD);
                PredictionCodec pc = new PredictionCodec();
                Map<Integer, List<String>> seenIds = new HashMap<>();
                Set<String> unique = new HashSet<>();
                for (ConsumerRecord<byte[], byte[]> c : predictions) {
                    PredictionRecord p = pc.decode(c.value());
                    assertTrue(unique.add(p.id()), "duplicate prediction for " + p.id());
                    assertEquals(pipeline, p.pipeline());
                    assertEquals(10, p.scores().length);
                    seenIds.computeIfAbsent(p.partition(), k -> new ArrayList<>()).add(p.id());
                }
                assertEquals(GOOD, unique.size());
                // Per input partition, predictions come in the order the records were produced.
                assertEquals(producedIds, seenIds, pipeline + ": predictions out of order or missing");

                List<ConsumerRecord<byte[], byte[]>> dead = consume(Topics.deadLetters(pipeline), 3);
                assertEquals(3, dead.size());
                for (ConsumerRecord<byte[], byte[]> d : dead) {
                    Header reason = d.headers().lastHeader("ctta.dlq.reason");
                    assertTrue(reason != null && reason.value().length > 0, "dead letter without a reason");
                    assertEquals(5, d.value().length, "dead letter must keep the original bytes");
                }
            }

            // The counters count what Kafka acknowledged, in the producer's callback: a consumer can
            // read the last prediction before that callback ran, so the scrape waits for them.
            String served = "ctta_predictions_total{pipeline=\"spine-tent\",strategy=\"tent\"} " + GOOD + ".0";
            String deadLettered = "ctta_dead_letters_total{pipeline=\"spine-source\",strategy=\"source\"} 3.0";
            String metrics = awaitScrape(runtime, body -> body.contains(served) && body.contains(deadLettered),
                    served + " and " + deadLettered);
            assertTrue(metrics.contains("ctta_batch_latency_seconds"));
        }
    }

    /** Scrapes {@code /metrics} until {@code ok} holds for it (never a value past it: exact counts time out); fails after 90 s. */
    private static String awaitScrape(CttaRuntime runtime, java.util.function.Predicate<String> ok, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            if (ok.test(r.body())) {
                return r.body();
            }
            assertTrue(System.nanoTime() < deadline, "/metrics never served " + what + ":\n" + r.body());
            Thread.sleep(100); // polling the endpoint for the condition
        }
    }

    private static Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // One more poll: anything beyond the expected count would be a duplicate.
            c.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }
}
