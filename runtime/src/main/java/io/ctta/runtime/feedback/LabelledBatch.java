package io.ctta.runtime.feedback;

import io.ctta.runtime.data.InputBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Matched examples packed for {@code AdaptationStrategy.learn(batch, labels)}: {@code labels[i]}
 * belongs to sample {@code i} of {@code batch}, in the order the joiner released them.
 *
 * @param batch the samples
 * @param labels their labels
 */
public record LabelledBatch(InputBatch batch, int[] labels) {

    public LabelledBatch {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(labels, "labels");
        if (labels.length != batch.size()) {
            throw new IllegalArgumentException(labels.length + " labels for a batch of " + batch.size());
        }
        labels = labels.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Packs examples whose payload is the sample's features into batches of at most
     * {@code maxBatch}, keeping their order.
     *
     * @throws IllegalArgumentException when a payload does not have the sample length
     */
    public static List<LabelledBatch> of(List<FeedbackJoiner.Joined<float[]>> joined, int[] sampleShape,
            int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        int per = InputBatch.sampleLength(sampleShape);
        List<LabelledBatch> out = new ArrayList<>();
        for (int from = 0; from < joined.size(); from += maxBatch) {
            int n = Math.min(maxBatch, joined.size() - from);
            float[] x = new float[n * per];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                FeedbackJoiner.Joined<float[]> j = joined.get(from + i);
                if (j.payload().length != per) {
                    throw new IllegalArgumentException("example " + j.id() + " has " + j.payload().length
                            + " features; samples of this stream have " + per);
                }
                System.arraycopy(j.payload(), 0, x, i * per, per);
                y[i] = j.label();
            }
            out.add(new LabelledBatch(new InputBatch(n, sampleShape, x), y));
        }
        return out;
    }
}
