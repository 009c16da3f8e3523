package io.ctta.actors.pipeline;

import io.ctta.actors.model.ModelActor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One input partition's model in a partition-scoped pipeline: its model actor, the stream state
 * (drift monitor, evaluator) that rides in its checkpoints, and where its sub-stream reads from.
 *
 * <p>Written by the supervisor's thread; the sub-stream reads it after the assignment's answer
 * (a completed future) published the fields, and updates only {@link #passedOn()}.
 */
final class PartitionUnit {
    private final TopicPartition partition;
    private final String name;
    private final PipelineSupervisor.Deps deps;
    private final ActorRef<ModelActor.Command> model;
    private final StreamState state;
    private final Map<TopicPartition, Long> passedOn = new ConcurrentHashMap<>();
    private volatile Map<String, Map<Integer, Long>> seekTo = Map.of();
    /** The supervisor generation this unit's model was last rewound in (-1: never). */
    private int rewoundIn = -1;
    /** Revoked for good: its model stops once its sub-stream wrote the final checkpoint. */
    private boolean leaving;
    private boolean finished;
    /** A sub-stream was started for this unit (it writes the final checkpoint when it ends). */
    private volatile boolean started;
    /** Set by the consumer's rebalance listener: the partition may be moving to another process. */
    private volatile boolean revoking;
    /** Exactly-once: the writer of this run's transactions (transactional.id per partition), opened before the rewind. */
    private volatile TransactionalOutput tx;
    /** Ends the unit's sub-stream when the unit's model is gone. */
    private volatile org.apache.pekko.stream.SharedKillSwitch body;

    PartitionUnit(TopicPartition partition, String name, PipelineSupervisor.Deps deps, ActorRef<ModelActor.Command> model) {
        this.partition = partition;
        this.name = name;
        this.deps = deps;
        this.model = model;
        this.state = new StreamState(name, deps.drift());
    }

    TopicPartition partition() {
        return partition;
    }

    /** The model's name: its checkpoints, metrics tag and admin path. */
    String name() {
        return name;
    }

    PipelineSupervisor.Deps deps() {
        return deps;
    }

    ActorRef<ModelActor.Command> model() {
        return model;
    }

    StreamState state() {
        return state;
    }

    Map<TopicPartition, Long> passedOn() {
        return passedOn;
    }

    /** The offsets the model's checkpoint reflects (records before them are dropped on replay). */
    Map<String, Map<Integer, Long>> seekTo() {
        return seekTo;
    }

    boolean rewoundIn(int generation) {
        return rewoundIn == generation;
    }

    /** The model went back to its checkpoint at the start of {@code generation}. */
    void rewound(int generation, ModelActor.Rewound r) {
        rewoundIn = generation;
        seekTo = r.offsets();
        passedOn.clear();
        state.restore(r.restored());
    }

    /**
     * Where the consumer must read this partition from: past what the sub-stream already passed
     * on to the model (a partition kept through a rebalance), else the checkpoint's next offset;
     * null: the group's committed position.
     */
    Long readFrom() {
        Long passed = passedOn.get(partition);
        Long checkpoint = seekTo.getOrDefault(partition.topic(), Map.of()).get(partition.partition());
        if (passed != null && checkpoint != null) {
            return Math.max(passed, checkpoint);
        }
        return passed != null ? passed : checkpoint;
    }

    /** A rebalance started that may move this partition; a new owner may fence its model any time now. */
    void revoking(boolean r) {
        revoking = r;
    }

    boolean revoking() {
        return revoking;
    }

    TransactionalOutput tx() {
        return tx;
    }

    void tx(TransactionalOutput tx) {
        this.tx = tx;
    }

    void body(org.apache.pekko.stream.SharedKillSwitch body) {
        this.body = body;
    }

    /** Ends the unit's sub-stream at once, its batches in flight dropped: the partition's new owner serves them. */
    void handedOver() {
        var b = body;
        if (b != null) {
            b.abort(new HandedOverException(name));
        }
    }

    /** Why a handed-over unit's sub-stream ended: not a failure of the run. */
    static final class HandedOverException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandedOverException(String unit) {
            super("model " + unit + " handed over to a new owner", null, false, false);
        }

        static boolean causes(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof HandedOverException) {
                    return true;
                }
            }
            return false;
        }
    }

    void started() {
        started = true;
    }

    boolean hasStarted() {
        return started;
    }

    boolean leaving() {
        return leaving;
    }

    void leave() {
        leaving = true;
    }

    boolean finished() {
        return finished;
    }

    void finish() {
        finished = true;
    }
}
