package io.ctta.actors.pipeline;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease held through Kafka's group coordinator, for a hot standby: every process of a pipeline
 * joins group {@code group} on the one-partition topic {@code topic}, and whoever is assigned the
 * partition holds the lease. No record is read (the partition is paused); the consumer polls only
 * to keep its membership. A process that leaves hands the lease over at once; one that dies keeps
 * it until its session times out.
 *
 * <p>The cooperative sticky assignor keeps the partition with its holder when another process
 * joins. A holder's {@link Listener#released} is awaited inside the rebalance (up to
 * {@code handoverLimit}): the group assigns the partition to another member only after it returns,
 * so the holder's final checkpoint is written before the next holder's model starts.
 */
public final class LeaderLease implements AutoCloseable {

    /** What the lease reports, on its own thread. */
    public interface Listener {
        /** This process now holds the lease. */
        void acquired();

        /** This process lost the lease; the stage completes when its work has been handed over. */
        CompletionStage<Void> released();
    }

    private static final Logger LOG = LoggerFactory.getLogger(LeaderLease.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Properties kafka;
    private final String group;
    private final String groupInstanceId;
    private final String topic;
    private final Listener listener;
    private final Duration handoverLimit;
    private final Thread thread;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;
    private boolean held;

    /**
     * Joins the lease group on a thread of its own.
     *
     * @param kafka the pipeline's client properties (bootstrap servers, security)
     * @param groupInstanceId Kafka's group.instance.id of the lease consumer; empty: dynamic membership
     */
    public static LeaderLease start(Properties kafka, String topic, String group, Duration sessionTimeout, String groupInstanceId,
            Duration handoverLimit, Listener listener) {
        LeaderLease lease = new LeaderLease(kafka, topic, group, sessionTimeout, groupInstanceId, handoverLimit, listener);
        lease.thread.start();
        return lease;
    }

    private LeaderLease(Properties kafka, String topic, String group, Duration sessionTimeout, String groupInstanceId, Duration handoverLimit,
            Listener listener) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(sessionTimeout.toMillis()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(Math.max(100, sessionTimeout.toMillis() / 3)));
        // The rebalance waits for a holder's hand-over (Kafka gives a member max.poll.interval.ms to rejoin).
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, String.valueOf(Math.max(300_000L, handoverLimit.plusSeconds(30).toMillis())));
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        if (!groupInstanceId.isEmpty()) {
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
        }
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.kafka = kafka;
        this.group = group;
        this.groupInstanceId = groupInstanceId;
        this.topic = topic;
        this.listener = listener;
        this.handoverLimit = handoverLimit;
        this.thread = new Thread(this::run, "ctta-lease-" + topic);
        this.thread.setDaemon(true);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!closing) {
                consumer.poll(POLL);
            }
        } catch (WakeupException e) {
            // close() woke the poll up.
        } catch (RuntimeException e) {
            LOG.error("lease {}: its consumer failed; this process no longer takes part in the lease", topic, e);
            release();
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("lease {}: consumer not closed cleanly: {}", topic, e.toString());
            }
            if (closing && !groupInstanceId.isEmpty()) {
                leaveAsStaticMember();
            }
            closed.complete(null);
        }
    }

    /**
     * A static member does not leave its group when it closes (Kafka 3.9): the lease would pass on
     * only after session-timeout. Removing it through the admin API hands it on at once.
     */
    private void leaveAsStaticMember() {
        try (Admin admin = Admin.create(kafka)) {
            admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove(groupInstanceId))))
                    .all().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownMemberIdException) {
                return; // no longer a member (its session expired, or it was removed): nothing holds the lease
            }
            LOG.warn("lease {}: static member {} not removed from group {} (the lease passes on after session-timeout): {}", topic,
                    groupInstanceId, group, e.toString());
        } catch (Exception e) {
            LOG.warn("lease {}: static member {} not removed from group {} (the lease passes on after session-timeout): {}", topic,
                    groupInstanceId, group, e.toString());
        }
    }

    /** Leaves the group (another process gets the lease at once); the stage completes when it has. */
    public CompletionStage<Void> closeAsync() {
        closing = true;
        consumer.wakeup();
        return closed;
    }

    @Override
    public void close() {
        closeAsync().toCompletableFuture().join();
    }

    /** Reports the loss and waits (bounded) for the hand-over, unless the lease is being closed. */
    private void release() {
        if (!held) {
            return;
        }
        held = false;
        if (closing) {
            return;
        }
        LOG.info("lease {}: released; handing over", topic);
        try {
            listener.released().toCompletableFuture().get(handoverLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("lease {}: hand-over not done within {} s; the next holder may find an older checkpoint: {}", topic,
                    handoverLimit.toSeconds(), e.toString());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            consumer.pause(partitions);
            if (!held && !closing) {
                held = true;
                LOG.info("lease {}: acquired", topic);
                listener.acquired();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                release();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                release();
            }
        }
    }
}
