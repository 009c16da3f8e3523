package io.ctta.actors.drift;

/**
 * One record on {@code <pipeline>.drift} (docs/drift.md): a detector's warning or drift, or a guard
 * or drift action the runtime took ({@code detector = "action"}, {@code action} set).
 */
public record DriftEvent(
        int schema,
        String pipeline,
        String strategy,
        String detector,
        String signal,
        String level,
        double statistic,
        double threshold,
        long samples,
        long detections,
        int firstPartition,
        long firstOffset,
        int lastPartition,
        long lastOffset,
        long timeMs,
        String action) {

    /** An action the runtime took (guard rollback, collapse reset, drift-triggered reset...). */
    public static DriftEvent action(String pipeline, String strategy, String action, String cause, int partition, long offset, long timeMs) {
        return new DriftEvent(1, pipeline, strategy, "action", cause, "action", 0.0, 0.0, 0, 0, partition, offset, partition, offset, timeMs, action);
    }
}
