package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.actors.pipeline.CheckpointPointer;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once output: whatever fails mid-stream (the broker, the model actor), a read_committed
 * consumer of the predictions topic sees exactly one prediction per input record, and the
 * checkpoint the last committed transaction names has applied each record exactly once.
 */
class ExactlyOnceTest {

    private static final int RECORDS = 1024;
    private static final String EXACTLY_ONCE = "output { mode = exactly-once, transaction-interval = 500ms }";

    @Test
    void aBrokerRestartMidStreamLeavesExactlyOnePredictionPerRecordForReadCommittedConsumers(@TempDir Path ckpt) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            ReliabilityKit.produce(kafka, "eb.in", 2, RECORDS, i -> null);
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "eb", "eb.in", "tent", EXACTLY_ONCE)) {
                Set<String> seen = new HashSet<>();
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("eb"), true)) {
                    double firstMs = ReliabilityKit.collectAcrossBrokerRestart(kafka, c, seen, RECORDS);
                    System.out.printf("exactly-once, broker restart: first committed prediction %.0f ms after the broker was back%n", firstMs);
                }
            }
            assertExactlyOnce(kafka, ckpt, "eb");
        }
    }

    @Test
    void aModelActorCrashAbortsTheOpenTransactionAndTheRestartCommitsEachPredictionOnce(@TempDir Path ckpt) throws Exception {
        Path marker = ckpt.resolve("crashed");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            ReliabilityKit.produce(kafka, "ea.in", 2, RECORDS, i -> null);
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "ea", "ea.in", "crash-once",
                    EXACTLY_ONCE + ", strategy-settings { crash-at-batch = 9, marker = \"" + marker + "\" }")) {
                Set<String> seen = new HashSet<>();
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("ea"), true)) {
                    ReliabilityKit.collect(c, seen, RECORDS);
                }
            }
            assertTrue(Files.exists(marker), "the injected crash happened");
            assertExactlyOnce(kafka, ckpt, "ea");
        }
    }

    /** read_committed: each input id exactly once; the pointer's checkpoint applied every record once. */
    private static void assertExactlyOnce(EmbeddedKafka kafka, Path ckpt, String pipeline) {
        List<ConsumerRecord<byte[], byte[]>> committed = ReliabilityKit.readAll(kafka, Topics.predictions(pipeline), true);
        Map<String, Integer> copies = ReliabilityKit.predictionCounts(committed);
        Set<String> input = IntStream.range(0, RECORDS).mapToObj(i -> "x-" + i).collect(Collectors.toSet());
        assertEquals(input, copies.keySet(), "exactly the input set");
        assertEquals(RECORDS, committed.size(), "no duplicate for a read_committed consumer: "
                + copies.entrySet().stream().filter(e -> e.getValue() > 1).limit(5).toList());
        int uncommitted = ReliabilityKit.readAll(kafka, Topics.predictions(pipeline), false).size();
        System.out.printf("exactly-once %s: %d committed predictions, %d records in the topic including aborted ones%n",
                pipeline, committed.size(), uncommitted);

        List<ConsumerRecord<byte[], byte[]>> pointers = ReliabilityKit.readAll(kafka, Topics.checkpoints(pipeline), true);
        assertTrue(!pointers.isEmpty(), "transactions carry checkpoint pointers");
        CheckpointPointer last = CheckpointPointer.decode(pointers.get(pointers.size() - 1).value());
        Checkpoint c;
        try {
            c = new FileCheckpointStore(ckpt, pipeline).load().latest().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(last.sequence(), c.sequence(), "the newest checkpoint is the one the last transaction names");
        assertEquals(last.epoch(), c.ownerEpoch());
        assertEquals(RECORDS, c.recordsApplied(), "each record applied to the model exactly once");
        assertEquals(RECORDS / 2, c.nextOffset(pipeline + ".in", 0));
        assertEquals(RECORDS / 2, c.nextOffset(pipeline + ".in", 1));
    }
}
