package io.ctta.runtime.drift;

/**
 * A detector fed one scalar per record: a 0/1 error, a loss, a prediction entropy or a
 * confidence. Implementations: {@link AdwinDetector}, {@link PageHinkleyDetector},
 * {@link DdmDetector}.
 */
public non-sealed interface DriftDetector extends Detector {

    /**
     * Adds one observation and returns the resulting level.
     *
     * @param value the observation; must be finite (and 0 or 1 for {@link DdmDetector})
     * @return {@link DriftLevel#DRIFT} exactly on the input where a change is detected,
     *     {@link DriftLevel#WARNING} while in a warning zone, {@link DriftLevel#STABLE} otherwise
     * @throws IllegalArgumentException if {@code value} is not finite or not a valid input
     */
    DriftLevel update(double value);
}
