package io.ctta.runtime.data;

import java.util.Objects;

/**
 * Labelled source-domain samples on the heap (the clean training data), for strategies that need
 * them: EcoTTA's and RMT's warm-up, RMT's source prototypes and source replay.
 *
 * @param features {@code labels.length} samples of {@code sampleShape}, row-major, raw values
 * @param sampleShape the shape of one sample
 * @param labels class indices
 */
public record SourceData(float[] features, int[] sampleShape, int[] labels) {
    public SourceData {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        if ((long) InputBatch.sampleLength(sampleShape) * labels.length != features.length) {
            throw new IllegalArgumentException("source data: " + features.length + " floats do not hold " + labels.length + " samples");
        }
        sampleShape = sampleShape.clone();
    }

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** The samples at the given indices as a batch, with their labels in {@code labelsOut}. */
    public InputBatch batch(int[] indices, int[] labelsOut) {
        int per = InputBatch.sampleLength(sampleShape);
        float[] f = new float[indices.length * per];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(features, indices[i] * per, f, i * per, per);
            labelsOut[i] = labels[indices[i]];
        }
        return new InputBatch(indices.length, sampleShape, f);
    }
}
