package io.ctta.actors.pipeline;

import java.util.Map;

/**
 * Kafka refused the output of these input records for reasons of the records alone (too large for
 * a topic, invalid for it). Inside a transaction that aborts the whole transaction, so the stream
 * fails; the supervisor remembers the records ({@link PoisonRecords#refused}), and the next run
 * writes each a bare dead letter instead, or, refused again, nothing: the stream goes on.
 */
public final class OutputRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Map<RecordRef, String> refused;

    OutputRefusedException(String pipeline, Map<RecordRef, String> refused) {
        super("pipeline " + pipeline + ": Kafka refused the output of " + refused.keySet() + ": " + refused.values().iterator().next());
        this.refused = Map.copyOf(refused);
    }

    /** Each input record whose output was refused, with Kafka's reason. */
    public Map<RecordRef, String> refused() {
        return refused;
    }
}
