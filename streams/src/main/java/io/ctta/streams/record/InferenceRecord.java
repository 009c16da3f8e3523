package io.ctta.streams.record;

import java.util.Objects;

/**
 * One input record: what a pipeline reads from its input topic.
 *
 * @param id          unique record id (used to join delayed {@link LabelFeedback})
 * @param key         stream key (camera, user, site); also the Kafka key, so it picks the partition
 * @param eventTimeMs event time, epoch milliseconds
 * @param domain      optional domain tag (e.g. corruption name), {@code null} when absent
 * @param label       optional class label, {@code null} when absent (labels often arrive later)
 * @param features    the feature tensor
 */
public record InferenceRecord(String id, String key, long eventTimeMs, String domain, Integer label,
                              Tensor features) {

    public InferenceRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(features, "features");
        if (label != null && label < 0) {
            throw new IllegalArgumentException("label " + label + " is negative; labels are class indices");
        }
    }
}
