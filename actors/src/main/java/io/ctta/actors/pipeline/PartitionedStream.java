package io.ctta.actors.pipeline;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.time.Duration;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.RestrictedConsumer;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.PartitionAssignmentHandler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The Kafka graph of a partition-scoped pipeline: one consumer (a member of the pipeline's group,
 * so several processes share the partitions), a sub-stream per assigned partition, and each
 * sub-stream served by its partition's own model through the same stages as a pipeline-scoped
 * graph ({@link PipelineStream#body}).
 *
 * <pre>
 * committablePartitionedManualOffsetSource(input)
 *   on assignment: each new partition's model actor is spawned and rewound to its checkpoint;
 *                  the consumer seeks to the checkpoint's offset (or past what was passed on)
 *   per partition: decode -> batch -> ask the partition's model -> produce -> commit
 *   partition revoked: its sub-stream completes, its outputs are acknowledged, the model writes a
 *                  final checkpoint and stops; the new owner resumes from that checkpoint
 * </pre>
 *
 * A failure of any partition's sub-stream fails the whole graph, and the supervisor restarts it:
 * every partition's model rewinds to its checkpoint, as a pipeline-scoped model does.
 */
final class PartitionedStream {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PartitionedStream.class);
    /** Partitions one process may serve side by side. */
    private static final int MAX_PARTITIONS = 10_000;

    private PartitionedStream() {}

    /** What the graph needs of the supervisor that owns the partitions' models. */
    interface Units {
        /**
         * The consumer was given {@code partitions}: their models are spawned or kept, rewound where
         * needed, and the answer holds where each must be read from (absent: the group's position).
         */
        CompletionStage<Map<TopicPartition, Object>> assigned(Set<TopicPartition> partitions);

        /** The partitions left this consumer for good (revoked and not handed back in the same rebalance, or lost). */
        void revoked(Set<TopicPartition> partitions);

        /** A rebalance is starting that may take these partitions: checkpoint soon. */
        void revoking(Set<TopicPartition> partitions);

        /** The unit serving {@code partition}, set up by {@link #assigned}; null once the partition was revoked. */
        PartitionUnit unit(TopicPartition partition);

        /** The unit's sub-stream completed: write its final checkpoint; stop it if revoked. */
        CompletionStage<Done> finished(PartitionUnit unit);

        /** The unit's sub-stream started or ended (the supervisor restarts nothing while one runs). */
        void bodyStarted(PartitionUnit unit);

        void bodyEnded(PartitionUnit unit);
    }

    static Consumer.DrainingControl<Done> start(
            ActorSystem<?> system, PipelineConf conf, PipelineSupervisor.Deps deps, Units units, PoisonRecords.View quarantine,
            SharedKillSwitch abort) {
        // The partitions' models are set up inside the rebalance listener, before the consumer fetches
        // from a newly assigned partition: the sub-streams of pekko-connectors-kafka's partitioned
        // source are then emitted for partitions whose model is ready (an answer given later, as a
        // manual-offset source takes it, can lose a partition assigned meanwhile).
        var subscription = Subscriptions.topics(conf.inputTopic()).withPartitionAssignmentHandler(new SetUpOnAssign(units, ASSIGN_LIMIT));
        // Incremental (cooperative) rebalancing: a rebalance revokes only the partitions that move, so
        // the sub-streams and models of the others go on untouched while a new partition's model is
        // set up in the listener.
        var settings = PipelineStream.consumerSettings(system, conf, deps)
                .withProperty(org.apache.kafka.clients.consumer.ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                        org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        return Consumer.committablePartitionedSource(settings, subscription)
                .via(abort.flow())
                .mapAsyncUnordered(MAX_PARTITIONS, pair -> {
                    PartitionUnit unit = units.unit(pair.first());
                    if (unit == null) {
                        // Emitted for an assignment that a newer rebalance already took back: the
                        // partition is not this consumer's any more, and nothing is read from it.
                        LOG.debug("pipeline {}: {} was revoked before its sub-stream started", conf.name(), pair.first());
                        return CompletableFuture.completedFuture(Done.getInstance());
                    }
                    units.bodyStarted(unit);
                    CompletionStage<Done> served;
                    try {
                        SharedKillSwitch cut = KillSwitches.shared(unit.name());
                        unit.body(cut);
                        served = PipelineStream.body(pair.second(), system, conf, unit.deps(), unit.model(), unit.seekTo(), unit.passedOn(),
                                quarantine, unit.state(), cut, unit.tx()).run(system).second();
                    } catch (RuntimeException e) {
                        units.bodyEnded(unit);
                        throw e;
                    }
                    // A unit handed over mid-stream (its new owner fenced its model) ends without a
                    // final checkpoint: the new owner's are the newer ones.
                    CompletionStage<Done> done = served
                            .whenComplete((d, f) -> {
                                if (f == null) {
                                    LOG.debug("pipeline {}: sub-stream of {} ended", conf.name(), unit.name());
                                } else {
                                    LOG.info("pipeline {}: sub-stream of {} ended: {}", conf.name(), unit.name(), f.getMessage());
                                }
                            })
                            // So does one that failed while a rebalance was moving it (exactly once: the new
                            // owner's producer fenced this one): the new owner resumes from what committed.
                            .handle((d, f) -> f == null ? null
                                    : PartitionUnit.HandedOverException.causes(f) || unit.revoking() ? Done.getInstance() : rethrow(f))
                            .thenCompose(d -> d != null ? CompletableFuture.completedFuture(d) : units.finished(unit));
                    done.whenComplete((d, f) -> units.bodyEnded(unit));
                    return done;
                })
                .toMat(Sink.ignore(), Keep.both())
                .mapMaterializedValue(Consumer::createDrainingControl)
                .run(system);
    }

    private static Done rethrow(Throwable f) {
        throw f instanceof CompletionException c ? c : new CompletionException(f);
    }

    /**
     * Runs synchronously in the consumer's rebalance listener. A revocation asks every partition
     * that may move for a checkpoint after its next batch, so a new owner replays little; an
     * assignment waits until each assigned partition's model is spawned and rewound, seeks each to
     * where its model goes on, and tells the supervisor which partitions left for good.
     */
    private static final class SetUpOnAssign implements PartitionAssignmentHandler {
        private final Units units;
        private final Duration limit;
        private Set<TopicPartition> revoking = Set.of();

        SetUpOnAssign(Units units, Duration limit) {
            this.units = units;
            this.limit = limit;
        }

        @Override
        public void onRevoke(Set<TopicPartition> revoked, RestrictedConsumer consumer) {
            revoking = Set.copyOf(revoked);
            if (!revoked.isEmpty()) {
                units.revoking(revoked);
            }
        }

        @Override
        public void onAssign(Set<TopicPartition> assigned, RestrictedConsumer consumer) {
            Set<TopicPartition> gone = new java.util.HashSet<>(revoking);
            gone.removeAll(assigned);
            revoking = Set.of();
            if (!gone.isEmpty()) {
                units.revoked(gone);
            }
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, Object> readFrom;
            try {
                readFrom = units.assigned(assigned).toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the partitions' models were set up", e);
            } catch (ExecutionException | TimeoutException e) {
                // Fails the consumer, and with it the run: the supervisor restarts it.
                throw new IllegalStateException("the models of partitions " + assigned + " were not set up within " + limit.toSeconds() + " s: "
                        + (e.getCause() != null ? e.getCause() : e), e);
            }
            readFrom.forEach((tp, offset) -> consumer.seek(tp, (Long) offset));
        }

        @Override
        public void onLost(Set<TopicPartition> lost, RestrictedConsumer consumer) {
            revoking = Set.of();
            if (!lost.isEmpty()) {
                units.revoked(lost);
            }
        }

        @Override
        public void onStop(Set<TopicPartition> stopped, RestrictedConsumer consumer) {}
    }

    /**
     * The longest an assignment may wait for its models: below the consumer's default
     * max.poll.interval.ms (5 min), past which the group would drop this member.
     */
    private static final Duration ASSIGN_LIMIT = Duration.ofMinutes(4);
}
