package io.ctta.adapters.reloop2;

import io.ctta.runtime.adapt.StrategyState;
import java.util.Map;

/**
 * ReLoop2's error memory (Zhu et al., KDD 2023; docs/strategies/reloop2.md): stores, per labelled sample, a key (the base
 * model's hidden representation) with the true label and the base model's own prediction, and
 * returns the K most similar entries for a query key. Heap-only, pure Java; not thread-safe.
 *
 * <p>Values are vectors of {@link #valueDim()} floats: the click probability for a binary model
 * (one float), the class-probability vector otherwise; labels are the matching one-hot vectors.
 */
public interface ErrorMemory {

    /** Key length {@code d}. */
    int keyDim();

    /** Floats per value. */
    int valueDim();

    /** Stores one labelled sample with the current write weight. */
    void write(float[] key, float[] label, float[] basePrediction);

    /** The (up to) K entries most similar to {@code key}. */
    Neighbours read(float[] key);

    /**
     * Ends one write epoch (one {@code learn} call): with exponential decay {@code rho < 1} every
     * earlier write counts {@code rho} times less from now on. A no-op for {@code rho = 1}.
     */
    void endEpoch(double rho);

    /** Forgets every stored sample (hash planes, being fixed, stay). */
    void clear();

    /** Samples written since the last {@link #clear()} (before decay). */
    long size();

    /** Heap bytes held by the stored sums or samples (planes included). */
    long heapBytes();

    /** The stored state as named heap tensors, for checkpoints. */
    Map<String, StrategyState.Tensor> exportTensors();

    /** Scalar state (counters, write weight). */
    Map<String, Double> exportScalars();

    /**
     * Restores what {@link #exportTensors()} and {@link #exportScalars()} produced for a memory
     * of the same kind and configuration.
     *
     * @throws IllegalArgumentException on a missing tensor or a shape mismatch
     */
    void importState(Map<String, StrategyState.Tensor> tensors, Map<String, Double> scalars);
}
