package io.ctta.streams.source;

import io.ctta.streams.record.RecordMetadata;
import io.ctta.streams.record.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * One labelled item of a source, before it becomes a record: the key and the event time are the
 * replay's to choose ({@link SourceRecords}).
 *
 * @param id       unique within the source and stable across runs (e.g. {@code iwildcam_v2.0/train/x.jpg}),
 *                 so delayed labels can be joined to it and a replay can be compared with another
 * @param domain   the domain tag, one of the source's {@link DomainInfo#name()}s
 * @param label    class index, {@code >= 0}, in the source's label space
 * @param features for images {@code UINT8 [C, H, W]}, C = 1 or 3, values 0..255
 * @param metadata facts about the item (time, location, task, split, source file), see
 *                 {@link io.ctta.streams.record.MetadataKeys}
 */
public record Sample(String id, String domain, int label, Tensor features, Map<String, String> metadata) {

    public Sample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(features, "features");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("sample id must not be empty");
        }
        if (label < 0) {
            throw new IllegalArgumentException("label " + label + " of " + id + " is negative; labels are class indices");
        }
        metadata = RecordMetadata.copyOf(metadata);
    }
}
