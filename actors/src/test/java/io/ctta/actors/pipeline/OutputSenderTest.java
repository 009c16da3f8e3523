package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.serde.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * What the at-least-once producer does when Kafka refuses an output, against a real broker: a
 * record the topic refuses is replaced by its bare dead letter; if that is refused too the record is
 * lost and the sender goes on; an unreachable broker fails the send (so nothing is counted and the
 * stream restarts and serves the record again).
 */
class OutputSenderTest {

    private static Properties producer(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        return p;
    }

    private static void createTopic(EmbeddedKafka kafka, String name, int maxMessageBytes) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.empty())
                    .configs(Map.of("max.message.bytes", String.valueOf(maxMessageBytes))))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** A 50 kB prediction for {@code topic}, falling back to a bare dead letter on {@code dlq}. */
    private static Output bigPrediction(String topic, String dlq) {
        byte[] value = new byte[50_000];
        return new Output(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), value), Output.Kind.PREDICTION,
                reason -> DeadLetters.withoutValue(dlq, "in", 0, 42, "k".getBytes(StandardCharsets.UTF_8), value, null, reason, 1L),
                new RecordRef("in", 0, 42));
    }

    @Test
    void aRecordTheTopicRefusesIsReplacedByItsDeadLetterAndIfThatIsRefusedTooItIsLost() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            createTopic(kafka, "small.out", 20_000);
            createTopic(kafka, "ok.dlq", 1_048_588);
            createTopic(kafka, "tiny.dlq", 64);
            try (OutputSender sender = new OutputSender("t", producer(kafka))) {
                assertEquals(OutputSender.Delivered.DEAD_LETTER_INSTEAD,
                        sender.send(bigPrediction("small.out", "ok.dlq")).toCompletableFuture().get(60, TimeUnit.SECONDS));
                assertEquals(OutputSender.Delivered.LOST,
                        sender.send(bigPrediction("small.out", "tiny.dlq")).toCompletableFuture().get(60, TimeUnit.SECONDS));
                // The sender goes on: a record that fits is produced as it is.
                assertEquals(OutputSender.Delivered.AS_IS, sender.send(new Output(new ProducerRecord<>("small.out", new byte[100]),
                        Output.Kind.PREDICTION, null, null)).toCompletableFuture().get(60, TimeUnit.SECONDS));
            }
            List<ConsumerRecord<byte[], byte[]>> dead = readAll(kafka, "ok.dlq");
            assertEquals(1, dead.size());
            assertEquals("50000", new String(dead.get(0).headers().lastHeader(DeadLetters.VALUE_TRUNCATED).value(), StandardCharsets.UTF_8));
            assertEquals(0, dead.get(0).value().length, "the value is left out");
            String reason = new String(dead.get(0).headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
            assertTrue(reason.startsWith("output-refused"), reason);
            assertEquals(1, readAll(kafka, "small.out").size(), "only the record that fits reached the topic");
        }
    }

    @Test
    void aSendToAStoppedBrokerFailsInsteadOfBeingCountedAsDelivered() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "out");
            Properties p = producer(kafka);
            p.put("delivery.timeout.ms", "3000");
            p.put("request.timeout.ms", "1000");
            p.put("linger.ms", "0");
            p.put("max.block.ms", "2000");
            try (OutputSender sender = new OutputSender("t", p)) {
                assertEquals(OutputSender.Delivered.AS_IS, sender.send(new Output(new ProducerRecord<>("out", new byte[10]), Output.Kind.PREDICTION, null, null))
                        .toCompletableFuture().get(60, TimeUnit.SECONDS));
                kafka.stop();
                ExecutionException failed = assertThrows(ExecutionException.class, () -> sender.send(new Output(new ProducerRecord<>("out", new byte[10]),
                        Output.Kind.PREDICTION, r -> new ProducerRecord<>("out", new byte[0]), null)).toCompletableFuture().get(60, TimeUnit.SECONDS));
                assertFalse(OutputSender.concernsTheRecordOnly(failed.getCause()), "a transient failure, not the record's: " + failed.getCause());
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic);
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
