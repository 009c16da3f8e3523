package io.ctta.streams.kafka;

import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One real in-process broker for the whole class. */
class EmbeddedKafkaTest {

    private static final int KEYS = 7;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        long t0 = System.nanoTime();
        kafka = EmbeddedKafka.start(null);
        System.out.printf("embedded broker started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void closeIsBoundedAndIdempotent() {
        // Liveness guard, not a performance assertion: close must return.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long t0 = System.nanoTime();
            kafka.close();
            kafka.close();
            System.out.printf("embedded broker closed in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        });
        assertTrue(!java.nio.file.Files.exists(kafka.dataDir()), "temporary data dir is deleted on close");
    }

    private static Iterator<InferenceRecord> records(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> new InferenceRecord("r" + i, "key-" + (i % KEYS), i,
                i % 2 == 0 ? "clean" : null, i % 10, Tensor.float32(new int[] {4}, new float[] {i, 1, 2, 3})))
                .iterator();
    }

    private static List<InferenceRecord> consumeAll(KafkaConsumer<byte[], byte[]> consumer, int expected) {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        List<InferenceRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                DecodeResult d = codec.decode(r.key(), r.value(), r.headers());
                InferenceRecord rec = assertInstanceOf(DecodeResult.Decoded.class, d, d::toString).record();
                assertEquals(rec.key(), new String(r.key(), StandardCharsets.UTF_8));
                out.add(rec);
            }
        }
        return out;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String topic, String group) {
        Properties p = KafkaSettings.of(kafka.bootstrapServers()).consumer(group);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(topic));
        return c;
    }

    /** Per key (hence per partition), event times must come back strictly increasing. */
    private static void assertOrderedPerKey(List<InferenceRecord> got) {
        Map<String, Long> last = new HashMap<>();
        for (InferenceRecord r : got) {
            Long prev = last.put(r.key(), r.eventTimeMs());
            assertTrue(prev == null || prev < r.eventTimeMs(), "out of order for " + r.key() + ": " + r.id());
        }
    }

    @Test
    void replaysAndConsumesThousandRecordsInOrderPerPartition() {
        String topic = "replay-1000";
        kafka.createTopics(3, topic);
        kafka.createTopics(3, topic); // idempotent
        try (ReplayProducer producer = new ReplayProducer(KafkaSettings.of(kafka.bootstrapServers()).producer());
             KafkaConsumer<byte[], byte[]> consumer = consumer(topic, "g-1000")) {
            long[] progress = {0};
            assertEquals(1000, producer.replay(records(0, 1000), topic, n -> progress[0] = n));
            assertEquals(1000, progress[0]);
            List<InferenceRecord> got = consumeAll(consumer, 1000);
            assertEquals(1000, got.size());
            assertEquals(1000, got.stream().map(InferenceRecord::id).distinct().count());
            assertOrderedPerKey(got);
            Set<Integer> partitions = new HashSet<>();
            for (TopicPartition tp : consumer.assignment()) {
                partitions.add(tp.partition());
            }
            assertEquals(Set.of(0, 1, 2), partitions);
        }
    }

    @Test
    void restartMidReplayLosesNoAcknowledgedRecord() {
        String topic = "replay-restart";
        kafka.createTopics(2, topic);
        String bootstrap = kafka.bootstrapServers();
        try (ReplayProducer producer = new ReplayProducer(KafkaSettings.of(bootstrap).producer());
             KafkaConsumer<byte[], byte[]> consumer = consumer(topic, "g-restart")) {
            assertEquals(500, producer.replay(records(0, 500), topic, null));
            List<InferenceRecord> got = new ArrayList<>(consumeAll(consumer, 500));
            assertEquals(500, got.size());

            // Restart the broker from inside the replay, with sends in flight: the idempotent producer
            // retries across the outage, and replay returns only once everything is acknowledged.
            long t0 = System.nanoTime();
            long sent = producer.replay(records(500, 1500), topic, n -> {
                if (n == 250) {
                    kafka.restart();
                }
            });
            System.out.printf("replay across restart took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertEquals(1000, sent);
            assertEquals(bootstrap, kafka.bootstrapServers());

            got.addAll(consumeAll(consumer, 1000));
            assertEquals(1500, got.size(), "every acknowledged record is readable after the restart");
            assertEquals(1500, got.stream().map(InferenceRecord::id).distinct().count(), "no duplicates");
            assertOrderedPerKey(got);
        }
    }

    @Test
    void plaintextBrokerNeedsNoClientSecuritySettings() {
        assertTrue(!kafka.saslEnabled());
        assertEquals(Map.of(), kafka.clientProperties());
        assertThrows(IllegalStateException.class, () -> kafka.clientProperties("alice", "pw"));
    }

    @Test
    void replayFailsLoudlyOnSendError() {
        Properties p = KafkaSettings.of(kafka.bootstrapServers()).producer();
        p.put("max.block.ms", "2000");
        p.put("delivery.timeout.ms", "3000");
        p.put("request.timeout.ms", "2000");
        try (ReplayProducer producer = new ReplayProducer(p)) {
            // auto.create.topics.enable=false: the topic never appears, so metadata waits time out.
            KafkaException e = assertThrows(KafkaException.class,
                    () -> producer.replay(records(0, 3), "no-such-topic", null));
            assertTrue(e.getMessage().contains("no-such-topic"), e.getMessage());
        }
    }
}
