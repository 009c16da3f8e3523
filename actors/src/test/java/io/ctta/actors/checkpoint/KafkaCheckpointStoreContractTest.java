package io.ctta.actors.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.CheckpointStore;
import io.ctta.runtime.checkpoint.CrashPoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Kafka-backed store against the file store's contract, on a real in-process broker, plus its own cases. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaCheckpointStoreContractTest extends CheckpointStoreContract {

    private static final String TOPIC = "ctta-checkpoint-store";
    private EmbeddedKafka kafka;

    @BeforeAll
    void startBroker() {
        kafka = EmbeddedKafka.start(null);
        kafka.createTopics(1, TOPIC);
    }

    @AfterAll
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private Properties client() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    @Override
    CheckpointStore store(String pipeline, int keep) {
        return new KafkaCheckpointStore(client(), TOPIC, pipeline, keep);
    }

    @Override
    void corrupt(CheckpointStore store, CheckpointEntry entry) throws Exception {
        byte[] garbage = "not checkpoint bytes".getBytes(StandardCharsets.UTF_8);
        produce(KafkaCheckpointLog.chunkKey(store.pipeline(), entry.file(), 0), garbage);
    }

    @Override
    void writeWithoutManifest(CheckpointStore store, Checkpoint c) {
        KafkaCheckpointStore crashing = new KafkaCheckpointStore(client(), TOPIC, store.pipeline(), 3,
                KafkaCheckpointStore.DEFAULT_CHUNK_BYTES, point -> {
                    if (point == CrashPoint.AFTER_DIR_FSYNC) {
                        throw new SimulatedCrash();
                    }
                });
        assertThrows(SimulatedCrash.class, () -> crashing.write(c));
    }

    @Override
    Set<String> stored(CheckpointStore store) throws Exception {
        Set<String> ids = new HashSet<>();
        latestValues().forEach((key, value) -> {
            KafkaCheckpointLog.ChunkKey k = KafkaCheckpointLog.parseChunkKey(store.pipeline(), key);
            if (k != null && value != null) {
                ids.add(k.id());
            }
        });
        return ids;
    }

    @Test
    void aLargeCheckpointIsCutIntoChunksBelowTheMessageLimit() throws Exception {
        String p = freshPipeline();
        KafkaCheckpointStore s = new KafkaCheckpointStore(client(), TOPIC, p, 3);
        long e = s.claimEpoch();
        CheckpointEntry entry = s.write(checkpoint(p, e, 1, 700_000));
        List<byte[]> chunks = new ArrayList<>();
        latestValues().forEach((key, value) -> {
            KafkaCheckpointLog.ChunkKey k = KafkaCheckpointLog.parseChunkKey(p, key);
            if (k != null && k.id().equals(entry.file())) {
                chunks.add(value);
            }
        });
        assertEquals(6, chunks.size(), "2.8 MB in 512 KiB chunks");
        assertTrue(chunks.stream().allMatch(c -> c.length <= KafkaCheckpointStore.DEFAULT_CHUNK_BYTES));
    }

    @Test
    void retentionTombstonesTheChunksOfDroppedCheckpoints() throws Exception {
        String p = freshPipeline();
        KafkaCheckpointStore s = new KafkaCheckpointStore(client(), TOPIC, p, 1);
        long e = s.claimEpoch();
        CheckpointEntry dropped = s.write(checkpoint(p, e, 1, 10));
        s.write(checkpoint(p, e, 2, 10));
        Map<String, byte[]> latest = latestValues();
        String key = KafkaCheckpointLog.chunkKey(p, dropped.file(), 0);
        assertTrue(latest.containsKey(key), "the chunk key is still in the log");
        assertEquals(null, latest.get(key), "its latest value is a tombstone, which compaction removes");
    }

    @Test
    void aManifestAppendedAfterANewerClaimIsVoid() throws Exception {
        String p = freshPipeline();
        KafkaCheckpointStore first = new KafkaCheckpointStore(client(), TOPIC, p, 3);
        long e1 = first.claimEpoch();
        Checkpoint committed = checkpoint(p, e1, 1, 10);
        CheckpointEntry good = first.write(committed);
        long e2 = new KafkaCheckpointStore(client(), TOPIC, p, 3).claimEpoch();
        // The old owner passed its fence check just before the claim and appends its manifest after it.
        CheckpointEntry zombie = new CheckpointEntry("e" + String.format("%019d", e1) + "-s" + String.format("%019d", 2L)
                + "-0123456789ab", e1, 2, good.sha256());
        produce(KafkaCheckpointLog.manifestKey(p), KafkaCheckpointLog.manifestValue(p, e1, List.of(
                new KafkaCheckpointLog.Entry(zombie, 1), new KafkaCheckpointLog.Entry(good, 1))));

        KafkaCheckpointStore reader = new KafkaCheckpointStore(client(), TOPIC, p, 3);
        assertEquals(List.of(good), reader.committed());
        assertEquals(committed, reader.loadLatest().orElseThrow());
        assertEquals(e2, reader.currentEpoch());
    }

    private void produce(String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, key.getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }

    /** The latest value of every key in the topic (null for a tombstone). */
    private Map<String, byte[]> latestValues() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(client(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.put(new String(r.key(), StandardCharsets.UTF_8), r.value());
                }
            }
        }
        return out;
    }

    /** Stands for the process dying at a step of the write. */
    private static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
