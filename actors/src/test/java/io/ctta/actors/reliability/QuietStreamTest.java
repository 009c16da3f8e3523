package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream that goes quiet still gets its checkpoint and its commit once the checkpoint interval
 * has passed: the time trigger does not wait for another batch, so a crash during a lull replays
 * nothing.
 */
class QuietStreamTest {

    private static final int RECORDS = 200;

    @Test
    void theLastRecordsBeforeALullAreCheckpointedAndCommittedWithoutFurtherTraffic(@TempDir Path ckpt) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            ReliabilityKit.produce(kafka, "q.in", 1, RECORDS, i -> null);
            // Only the time trigger can fire (every-records is far above the input), and it fires
            // 8 s after the model actor started: well after the last batch, which then has no successor.
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "q", "q.in", "tent", 1_000_000, "8s", "200ms", "")) {
                Set<String> seen = new HashSet<>();
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("q"), false)) {
                    ReliabilityKit.collect(c, seen, RECORDS);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                Properties p = new Properties();
                p.put("bootstrap.servers", kafka.bootstrapServers());
                try (Admin admin = Admin.create(p)) {
                    long committed = -1;
                    while (committed < RECORDS) {
                        assertTrue(System.nanoTime() < deadline, "the group's committed offset stayed at " + committed);
                        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("ctta-q").partitionsToOffsetAndMetadata().get();
                        OffsetAndMetadata o = offsets.get(new TopicPartition("q.in", 0));
                        committed = o == null ? -1 : o.offset();
                        Thread.sleep(100); // polling the broker for the condition
                    }
                    assertEquals(RECORDS, committed);
                }
                Checkpoint c = new FileCheckpointStore(ckpt, "q").load().latest().orElseThrow();
                assertEquals(RECORDS, c.nextOffset("q.in", 0), "the checkpoint covers the quiet stream's last records");
                assertEquals(RECORDS, c.recordsApplied());
            }
        }
    }
}
