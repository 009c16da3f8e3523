package io.ctta.streams.record;

import java.util.Map;
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
 * @param metadata    optional facts about the record (time, location, task, split, source file): an
 *                    unmodifiable map sorted by key, empty when absent; the rules are in
 *                    {@link RecordMetadata} and the well-known keys in {@link MetadataKeys}
 */
public record InferenceRecord(String id, String key, long eventTimeMs, String domain, Integer label,
                              Tensor features, Map<String, String> metadata) {

    public InferenceRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(features, "features");
        if (label != null && label < 0) {
            throw new IllegalArgumentException("label " + label + " is negative; labels are class indices");
        }
        metadata = RecordMetadata.copyOf(metadata);
    }

    /** A record without metadata. */
    public InferenceRecord(String id, String key, long eventTimeMs, String domain, Integer label, Tensor features) {
        this(id, key, eventTimeMs, domain, label, features, Map.of());
    }

    /** The same record with {@code newLabel} (e.g. {@code null} when the label travels as feedback). */
    public InferenceRecord withLabel(Integer newLabel) {
        return new InferenceRecord(id, key, eventTimeMs, domain, newLabel, features, metadata);
    }
}
