package io.ctta.actors.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ctta.runtime.checkpoint.CheckpointId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * In exactly-once output mode, the record each transaction writes to {@code <pipeline>.checkpoints}
 * next to its predictions and input offsets: which checkpoint the transaction's outputs were made
 * from. The last committed pointer is where a restarted pipeline resumes; a checkpoint written
 * after it belongs to a transaction that never committed.
 *
 * @param pipeline the pipeline (also the record key, so the compacted topic keeps one per pipeline)
 * @param epoch the checkpoint's owner epoch
 * @param sequence the checkpoint's sequence
 * @param offsets the next input offset per topic and partition the checkpoint reflects
 * @param timeMs when the transaction was committed (producer clock)
 */
public record CheckpointPointer(String pipeline, long epoch, long sequence, Map<String, Map<Integer, Long>> offsets, long timeMs) {

    private static final ObjectMapper JSON = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    /** How far back from the end of the topic the last committed pointer is looked for. */
    private static final int LOOK_BACK = 500;

    public CheckpointId id() {
        return new CheckpointId(epoch, sequence);
    }

    /** The record to produce inside the transaction. */
    public ProducerRecord<byte[], byte[]> record(String topic) {
        try {
            return new ProducerRecord<>(topic, pipeline.getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a pointer record's value. */
    public static CheckpointPointer decode(byte[] value) {
        try {
            Map<String, Object> m = JSON.readValue(value, new TypeReference<Map<String, Object>>() {});
            Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Number>> raw = (Map<String, Map<String, Number>>) m.getOrDefault("offsets", Map.of());
            raw.forEach((t, parts) -> {
                Map<Integer, Long> p = new TreeMap<>();
                parts.forEach((k, v) -> p.put(Integer.parseInt(k), v.longValue()));
                offsets.put(t, p);
            });
            return new CheckpointPointer((String) m.get("pipeline"), ((Number) m.get("epoch")).longValue(),
                    ((Number) m.get("sequence")).longValue(), offsets, ((Number) m.getOrDefault("timeMs", 0)).longValue());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a checkpoint pointer: " + e.getMessage(), e);
        }
    }

    /**
     * The last pointer of {@code pipeline} in committed transactions (isolation level
     * read_committed), or empty when it never committed one.
     *
     * @throws IllegalStateException when the topic cannot be read within {@code timeout}
     */
    public static Optional<CheckpointPointer> lastCommitted(Properties kafka, String topic, String pipeline, Duration timeout) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : infos) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            // With read_committed, the end is the last stable offset: open transactions are not waited for.
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            Map<TopicPartition, Long> begin = c.beginningOffsets(parts, timeout);
            Map<TopicPartition, Long> from = new HashMap<>();
            for (TopicPartition tp : parts) {
                from.put(tp, Math.max(begin.get(tp), end.get(tp) - LOOK_BACK));
            }
            CheckpointPointer last = scan(c, parts, from, end, pipeline, topic, deadline);
            if (last == null && !from.equals(begin)) {
                // Several models share the topic (scope = partition): an idle one's last pointer may
                // lie further back. The compacted topic still holds it; read all of it.
                last = scan(c, parts, begin, from, pipeline, topic, deadline);
            }
            return Optional.ofNullable(last);
        }
    }

    /** The last pointer of {@code pipeline} between {@code from} and {@code to}, or null. */
    private static CheckpointPointer scan(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> parts, Map<TopicPartition, Long> from,
            Map<TopicPartition, Long> to, String pipeline, String topic, long deadline) {
        for (TopicPartition tp : parts) {
            c.seek(tp, from.get(tp));
        }
        CheckpointPointer last = null;
        while (!reached(c, parts, to)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " to its end in time");
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                // The topic has one partition (the runtime creates it so): offset order is commit order.
                if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))
                        && r.key() != null && pipeline.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                    last = decode(r.value());
                }
            }
        }
        return last;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> parts, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : parts) {
            if (c.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }
}
