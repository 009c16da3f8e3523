package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A record whose output Kafka refuses for reasons of its own, whatever the size check said: here an
 * unreadable input without a key, whose dead letter goes to a dead-letter topic an operator created
 * compacted (a compacted topic refuses records without a key). Its dead letter and its bare dead
 * letter are refused; nothing is written for it, {@code output-lost} counts it once, and every
 * record after it is predicted. In exactly-once mode the refusal aborts the transaction; the next
 * runs send the bare dead letter, then nothing, instead of looping.
 */
class RefusedOutputTest {

    private static final int BEFORE = 100;
    private static final int AFTER = 100;
    private static final int KEYED_BAD = 5;

    @ParameterizedTest
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void aRecordWhoseOutputKafkaRefusesCostsOnlyThatRecord(String mode, @TempDir Path ckpt) throws Exception {
        boolean exactlyOnce = mode.equals("exactly-once");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic(Topics.deadLetters("ref"), Optional.of(1), Optional.empty())
                        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            }
            ReliabilityKit.produce(kafka, "ref.in", 1, BEFORE, i -> null);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<byte[], byte[]>("ref.in", 0, (byte[]) null, new byte[] {1, 2, 3}, RecordCodec.headersFor())).get();
            }
            ReliabilityKit.produceFloat32(kafka, "ref.in", BEFORE + 1, AFTER, 1);
            int predictable = BEFORE + AFTER;

            Set<String> seen = new HashSet<>();
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "ref", "ref.in", "source", "output.mode = " + mode)) {
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("ref"), exactlyOnce)) {
                    ReliabilityKit.collect(c, seen, predictable);
                }
                LargeRecordTest.await(() -> ReliabilityKit.counter(runtime, "ctta.predictions", "ref") >= predictable, "the predictions counter");
                assertEquals(predictable, ReliabilityKit.counter(runtime, "ctta.predictions", "ref"), "predictions counted once each");
                assertEquals(0, ReliabilityKit.counter(runtime, "ctta.dead.letters", "ref"), "no dead letter reached Kafka");
                // Each output is counted when its own acknowledgement comes back, in any order: the
                // refused record's two refusals (as is, then bare) can come back after later records' acks.
                LargeRecordTest.await(() -> lost(runtime, "ref") >= 1, "the refused record to be counted as lost");
                assertEquals(1.0, lost(runtime, "ref"), "the record whose output and dead letter were refused is counted once");
            }
            assertEquals(predictable, seen.size());
            for (int i = 0; i <= BEFORE + AFTER; i++) {
                assertTrue(i == BEFORE || seen.contains("x-" + i), "x-" + i + " predicted");
            }
            assertEquals(0, ReliabilityKit.readAll(kafka, Topics.deadLetters("ref"), exactlyOnce).size());
        }
    }

    /**
     * The delayed-label stream too: an undecodable feedback record without a key, whose dead letter
     * the compacted dead-letter topic refuses (and its bare form too), costs that record only. The
     * labels after it are joined, none twice (a failing stream would read the batch again), and the
     * feedback group's committed offset passes every feedback record. Keyed undecodable records
     * right after it have their dead letters written although Kafka failed them with the refused
     * one's produce batch.
     */
    @org.junit.jupiter.api.Test
    void aFeedbackRecordWhoseDeadLetterKafkaRefusesCostsOnlyThatRecord(@TempDir Path ckpt) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic(Topics.deadLetters("rfb"), Optional.of(1), Optional.empty())
                        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            }
            List<String> ids = ReliabilityKit.produce(kafka, "rfb.in", 1, BEFORE, i -> null);
            kafka.createTopics(1, Topics.feedback("rfb"));
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "rfb", "rfb.in", "source",
                    "feedback { enabled = true, batch-size = 16, max-latency = 100ms }")) {
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("rfb"), false)) {
                    ReliabilityKit.collect(c, new HashSet<>(), BEFORE);
                }
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(Topics.feedback("rfb"), null, "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    // Undecodable too but keyed: their dead letters share a produce batch with the refused one and must still be written.
                    for (int i = 0; i < KEYED_BAD; i++) {
                        producer.send(new ProducerRecord<>(Topics.feedback("rfb"), ("bad-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                "{\"id\":\"x-0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                    producer.flush();
                    for (String id : ids) {
                        producer.send(new ProducerRecord<>(Topics.feedback("rfb"), id.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                ("{\"id\":\"" + id + "\",\"label\":3,\"eventTimeMs\":1}").getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
                    }
                }
                LargeRecordTest.await(() -> labels(runtime, "matched") >= BEFORE, "every label joined");
                LargeRecordTest.await(() -> committed(p, "ctta-rfb-feedback", Topics.feedback("rfb")) == BEFORE + 1 + KEYED_BAD, "the feedback offsets committed");
                assertEquals(BEFORE, labels(runtime, "matched"), "each label joined once");
                assertEquals(0, labels(runtime, "duplicate"), "no feedback batch read twice");
                assertEquals(1.0, lost(runtime, "rfb"), "the feedback record whose dead letters were refused is counted once");
                LargeRecordTest.await(() -> ReliabilityKit.counter(runtime, "ctta.dead.letters", "rfb") >= KEYED_BAD, "the keyed dead letters");
                assertEquals(KEYED_BAD, ReliabilityKit.counter(runtime, "ctta.dead.letters", "rfb"), "the keyed dead letters, counted once each");
            }
        }
    }

    private static double lost(CttaRuntime runtime, String pipeline) {
        return runtime.registry().get("ctta.actions").tag("pipeline", pipeline).tag("action", PipelineMetrics.OUTPUT_LOST).counter().count();
    }

    private static double labels(CttaRuntime runtime, String outcome) {
        var c = runtime.registry().find("ctta.feedback.labels").tag("pipeline", "rfb").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static long committed(Properties p, String group, String topic) {
        try (Admin admin = Admin.create(p)) {
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            var o = offsets.get(new org.apache.kafka.common.TopicPartition(topic, 0));
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            return -1;
        }
    }
}
