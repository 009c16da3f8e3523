package io.ctta.runtime.drift;

import java.util.Locale;

/**
 * What a detector concluded after an input. The ordinal is the value of the
 * {@code ctta_drift_level} gauge (0 stable, 1 warning, 2 drift).
 */
public enum DriftLevel {
    /** No evidence of change. */
    STABLE,
    /** Evidence of change that is not (yet) significant: DDM's warning zone, or a two-sample test
     *  that rejected fewer times in a row than its {@code consecutive} setting asks for. */
    WARNING,
    /** A change was detected on this input; the detector has reset or shrunk its window. */
    DRIFT;

    /** The lower-case name used on the wire ({@code "stable"}, {@code "warning"}, {@code "drift"}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
