package io.ctta.streams.serde;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ctta.streams.record.LabelFeedback;

import java.io.IOException;
import java.util.Objects;

/**
 * JSON for {@code <pipeline>.feedback}: {@code {"id":"..","label":3,"eventTimeMs":..}}. Thread-safe.
 */
public final class FeedbackCodec {

    private final ObjectMapper mapper = JsonCodecs.mapper();

    /** Writes {@code feedback} as UTF-8 JSON. */
    public byte[] encode(LabelFeedback feedback) {
        try {
            return mapper.writeValueAsBytes(Objects.requireNonNull(feedback, "feedback"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write feedback " + feedback.id() + " as JSON", e);
        }
    }

    /**
     * Reads a feedback record.
     *
     * @throws IllegalArgumentException if {@code json} is not a feedback record (missing or negative label)
     */
    public LabelFeedback decode(byte[] json) {
        try {
            return mapper.readValue(Objects.requireNonNull(json, "json"), LabelFeedback.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a feedback record: " + e.getMessage(), e);
        }
    }
}
