package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.DeadLetters;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordSize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12: an input of about 1 MiB, accepted by a broker with default limits, used to wedge the
 * pipeline: its dead letter (the value plus ~200 bytes of headers) exceeded the producer's
 * max.request.size, the graph failed, restarted from its checkpoint, met the record again, forever.
 * Now the dead letter keeps the prefix of the value that fits, marked with the original length,
 * and every record after it is predicted; in both output modes, with exact counters.
 */
class LargeRecordTest {

    private static final int BEFORE = 50;
    private static final int AFTER = 150;
    /**
     * A default producer (max.request.size = 1048576) and a broker with default limits
     * (message.max.bytes = 1048588) take it; its dead letter, whole, they would not.
     */
    private static final int BIG = 1_048_576 - 160;

    @ParameterizedTest
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void aOneMebibyteRecordIsDeadLetteredCutToFitAndTheRecordsAfterItArePredicted(String mode, @TempDir Path ckpt) throws Exception {
        boolean exactlyOnce = mode.equals("exactly-once");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            ReliabilityKit.produce(kafka, "big.in", 1, BEFORE, i -> null);
            byte[] big = new byte[BIG];
            new Random(12).nextBytes(big);
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("big.in", 0, "big".getBytes(StandardCharsets.UTF_8), big, RecordCodec.headersFor())).get();
            }
            ReliabilityKit.produceFloat32(kafka, "big.in", BEFORE + 1, AFTER, 1);
            assertTrue(RecordSize.of(DeadLetters.deadLetter(Topics.deadLetters("big"), "big.in", 0, BEFORE, "big".getBytes(StandardCharsets.UTF_8), big,
                    RecordCodec.headersFor(), "unreadable record")) > 1_048_576, "precondition: the whole dead letter exceeds max.request.size");
            int predictable = BEFORE + AFTER;

            Set<String> seen = new HashSet<>();
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "big", "big.in", "source", "output.mode = " + mode)) {
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("big"), exactlyOnce)) {
                    ReliabilityKit.collect(c, seen, predictable);
                }
                await(() -> ReliabilityKit.counter(runtime, "ctta.predictions", "big") >= predictable
                        && ReliabilityKit.counter(runtime, "ctta.dead.letters", "big") >= 1, "counters to catch up");
                assertEquals(predictable, ReliabilityKit.counter(runtime, "ctta.predictions", "big"), "predictions counted once each");
                assertEquals(1, ReliabilityKit.counter(runtime, "ctta.dead.letters", "big"), "one dead letter counted");
                assertEquals(predictable + 1, ReliabilityKit.counter(runtime, "ctta.records.consumed", "big"),
                        "every record consumed once: the graph never failed and restarted");
            }
            for (int i = 0; i <= BEFORE + AFTER; i++) {
                if (i != BEFORE) {
                    assertTrue(seen.contains("x-" + i), "x-" + i + " predicted");
                }
            }
            assertEquals(predictable, seen.size());

            List<ConsumerRecord<byte[], byte[]>> dead = ReliabilityKit.readAll(kafka, Topics.deadLetters("big"), exactlyOnce);
            assertEquals(1, dead.size(), "exactly one dead letter");
            ConsumerRecord<byte[], byte[]> d = dead.get(0);
            assertEquals(String.valueOf(BIG), header(d, DeadLetters.VALUE_TRUNCATED), "marked with the original length");
            assertEquals(String.valueOf(BEFORE), header(d, DeadLetters.SOURCE_OFFSET));
            assertNotNull(header(d, DeadLetters.REASON));
            assertFalse(header(d, DeadLetters.REASON).isBlank());
            assertTrue(d.value().length > BIG - 4096 && d.value().length < BIG, "most of the value kept: " + d.value().length);
            assertArrayEquals(Arrays.copyOf(big, d.value().length), d.value(), "a prefix of the original bytes");
            assertArrayEquals("big".getBytes(StandardCharsets.UTF_8), d.key());
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        var h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Waits for {@code done}, checking every 10 ms, failing after 30 s. */
    static void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
