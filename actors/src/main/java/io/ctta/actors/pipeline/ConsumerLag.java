package io.ctta.actors.pipeline;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures a pipeline's consumer lag the way an operator means it: per input partition, the records
 * between the group's committed offset and the end of the partition (with exactly-once input, its
 * last stable offset), now. (Kafka's own {@code records-lag-max} is a maximum over a time window:
 * it kept the largest lag for minutes after the pipeline caught up.) A partition the group never
 * committed counts from its earliest offset. Blocking: call it off the actors' dispatchers.
 */
final class ConsumerLag implements AutoCloseable {
    private static final long TIMEOUT_S = 10;

    private final Admin admin;
    private final String groupId;
    private final String topic;
    private final IsolationLevel isolation;

    ConsumerLag(Properties kafka, String groupId, String topic, boolean readCommitted) {
        this.admin = Admin.create(kafka);
        this.groupId = groupId;
        this.topic = topic;
        this.isolation = readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    }

    /** Lag per partition of the input topic. */
    Map<Integer, Long> measure() {
        try {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_S, TimeUnit.SECONDS);
            Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> start = offsets(partitions.stream().filter(tp -> committed.get(tp) == null).toList(), OffsetSpec.earliest());
            Map<Integer, Long> lag = new TreeMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                long from = c != null ? c.offset() : start.get(tp);
                lag.put(tp.partition(), Math.max(0, end.get(tp) - from));
            }
            return lag;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the consumer lag", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot measure the consumer lag of group " + groupId + ": " + e, e);
        }
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(isolation)).all().get(TIMEOUT_S, TimeUnit.SECONDS)
                .forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
