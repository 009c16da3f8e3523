package io.ctta.runtime.drift;

/**
 * A detector fed one vector per record, typically the model's penultimate features (or a
 * projection of them), that compares a reference window with the recent window by a two-sample
 * test. Implementations: {@link KsDriftDetector}, {@link MmdDriftDetector}.
 */
public non-sealed interface MultivariateDriftDetector extends Detector {

    /**
     * Adds one vector and returns the resulting level.
     *
     * @param vector the observation; finite values, always the same length (fixed by the first
     *     vector or by the reference); the detector copies what it keeps
     * @return {@link DriftLevel#DRIFT} on the input that completes a test window whose test
     *     rejects (for the configured number of consecutive windows), {@link DriftLevel#WARNING}
     *     after a rejection that is not yet confirmed, {@link DriftLevel#STABLE} otherwise
     * @throws IllegalArgumentException on a non-finite value or a length mismatch
     */
    DriftLevel update(double[] vector);

    /** The vector length, or 0 before the first vector or reference. */
    int dimension();

    /**
     * Sets the reference window to {@code reference} (for example source-domain embeddings)
     * instead of waiting for the first inputs, and clears the current window. After a drift the
     * detector collects a new reference from the stream (the new stable period), as it does
     * without this call; {@link #reset()} forgets it too.
     *
     * @throws IllegalArgumentException if it has fewer than 2 rows, ragged rows, or non-finite values
     */
    void setReference(double[][] reference);
}
