package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
            ReliabilityKit.produce(kafka, "rb.in", 1, RECORDS, i -> null);
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "rb", "rb.in", "tent", "")) {
                Set<String> seen = new HashSet<>();
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("rb"), false)) {
                    double firstMs = ReliabilityKit.collectAcrossBrokerRestart(kafka, c, seen, RECORDS);
                    System.out.printf("broker restart: first prediction %.0f ms after the broker was back%n", firstMs);
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
            ReliabilityKit.produce(kafka, "ac.in", 1, RECORDS, i -> null);
            Set<String> seen = new HashSet<>();
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "ac", "ac.in", "crash-once",
                    "strategy-settings { crash-at-batch = 9, marker = \"" + marker + "\" }")) {
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("ac"), false)) {
                    ReliabilityKit.collect(c, seen, 1);
                    long longestPause = 0;
                    long last = System.nanoTime();
                    while (seen.size() < RECORDS) {
                        int before = seen.size();
                        ReliabilityKit.collect(c, seen, before + 1);
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
}
