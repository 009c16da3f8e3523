package io.ctta.runtime.drift;

/**
 * What every drift detector has in common, whatever it is fed: {@link DriftDetector} takes one
 * scalar per record, {@link MultivariateDriftDetector} one vector per record.
 *
 * <p>Lifecycle: create (through {@link DriftDetectors} or a constructor) → {@code update}* →
 * ({@link #snapshot()} | {@link #restore} | {@link #reset()})*. Not thread-safe; one instance per
 * pipeline and signal, never shared.
 *
 * <p>Reading the numbers: after every {@code update}, {@link #statistic()} and {@link #threshold()}
 * describe the evidence as of that input, in the detector's own units, such that a change is
 * declared when the statistic exceeds the threshold ({@link DriftLevel#DRIFT}). They are what the
 * {@code ctta_drift_statistic} and {@code ctta_drift_threshold} gauges publish. When an update
 * returns {@link DriftLevel#DRIFT}, the detector has already started over (ADWIN has dropped the
 * old part of its window; the others reset at the start of the next update, so the values that
 * triggered the event can still be read).
 */
public sealed interface Detector permits DriftDetector, MultivariateDriftDetector {

    /** The registered name ({@code adwin}, {@code page-hinkley}, {@code ddm}, {@code ks}, {@code mmd}). */
    String name();

    /** The level returned by the last update; {@link DriftLevel#STABLE} before the first one. */
    DriftLevel level();

    /** The test statistic after the last update (see the class comment for the units). */
    double statistic();

    /** The value {@link #statistic()} must exceed for {@link DriftLevel#DRIFT}. */
    double threshold();

    /**
     * How many inputs the current evidence covers: ADWIN's window width, the inputs since the last
     * reset for the others. On an update that returns {@link DriftLevel#DRIFT} this is the count
     * that triggered it (for ADWIN, the window kept after the cut, i.e. the inputs since the
     * estimated change point).
     */
    long samples();

    /** Number of updates that returned {@link DriftLevel#DRIFT} since creation or {@link #reset()}. */
    long detections();

    /** The whole mutable state, heap-only; settings are included so a mismatched restore fails. */
    DetectorState snapshot();

    /**
     * Replaces the state with {@code state}, which must come from {@link #snapshot()} of a detector
     * of the same name and settings.
     *
     * @throws IllegalArgumentException if the state belongs to another detector or settings, or is incomplete
     */
    void restore(DetectorState state);

    /** Forgets every input, as if newly created (settings and seed are kept). */
    void reset();
}
