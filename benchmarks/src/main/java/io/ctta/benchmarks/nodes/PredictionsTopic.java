package io.ctta.benchmarks.nodes;

import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.serde.PredictionCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A pipeline's predictions topic, read by the benchmark. While the nodes serve, it only asks for
 * the topic's end offsets now and then ({@link #awaitAtLeast}): consuming and decoding the
 * predictions in the measuring process would take CPU from the nodes it measures, which a real
 * deployment's consumers, elsewhere, do not. Once they are all written it reads them and says what
 * they hold ({@link #tally}).
 */
final class PredictionsTopic {

    /**
     * What the topic holds.
     *
     * @param predictions records on the topic
     * @param distinct distinct input record ids among them
     * @param firstMs the earliest {@code processedAtMs} (when a batch's predictions were answered)
     * @param lastMs the latest
     * @param perPartition predictions per input partition
     */
    record Tally(long predictions, long distinct, long firstMs, long lastMs, Map<Integer, Long> perPartition) {
        long spanMs() {
            return lastMs - firstMs;
        }

        long duplicates() {
            return predictions - distinct;
        }
    }

    private static final long POLL_MS = 100;

    private final Properties kafka;
    private final String topic;
    /** The topic's partitions, looked up once: ctta creates it before its pipeline starts, and it does not change. */
    private Map<TopicPartition, OffsetSpec> latest;

    PredictionsTopic(Properties kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    /**
     * Waits until the topic holds at least {@code expected} records (at-least-once output: one per
     * prediction, so this is the number of predictions written).
     *
     * @param failure checked at every poll: a non-null message (a node died) fails the wait with it
     * @throws IllegalStateException when the count has not grown for {@code stall}, or on {@code failure}
     */
    void awaitAtLeast(long expected, Duration stall, Supplier<String> failure) throws InterruptedException {
        try (Admin admin = Admin.create(kafka)) {
            long seen = -1;
            long progress = System.nanoTime();
            while (true) {
                long count = endOffsets(admin).values().stream().mapToLong(Long::longValue).sum();
                if (count >= expected) {
                    return;
                }
                String f = failure.get();
                if (f != null) {
                    throw new IllegalStateException(f + " (" + count + " of " + expected + " predictions written)");
                }
                if (count > seen) {
                    seen = count;
                    progress = System.nanoTime();
                } else if (System.nanoTime() - progress > stall.toNanos()) {
                    throw new IllegalStateException("no prediction written to " + topic + " for " + stall.toSeconds() + " s; "
                            + count + " of " + expected);
                }
                // A benchmark's wait between two cheap requests, not a test's: there is nothing to block on.
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            }
        }
    }

    /** Reads the whole topic as it is now. */
    Tally tally() throws InterruptedException {
        Map<TopicPartition, Long> end;
        try (Admin admin = Admin.create(kafka)) {
            end = endOffsets(admin);
        }
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        PredictionCodec codec = new PredictionCodec();
        long predictions = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Set<String> ids = new HashSet<>();
        Map<Integer, Long> perPartition = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(end.keySet());
            c.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    PredictionRecord pr = codec.decode(r.value());
                    predictions++;
                    ids.add(pr.id());
                    first = Math.min(first, pr.processedAtMs());
                    last = Math.max(last, pr.processedAtMs());
                    perPartition.merge(pr.partition(), 1L, Long::sum);
                }
            }
        }
        return new Tally(predictions, ids.size(), predictions == 0 ? 0 : first, predictions == 0 ? 0 : last, Map.copyOf(perPartition));
    }

    private Map<TopicPartition, Long> endOffsets(Admin admin) throws InterruptedException {
        try {
            if (latest == null) {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
                d.partitions().forEach(pi -> specs.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
                latest = Map.copyOf(specs);
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> r = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            r.forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e, e);
        }
    }
}
