package io.ctta.streams.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ctta.streams.record.LabelFeedback;

import java.io.IOException;
import java.util.Objects;

/**
 * JSON for {@code <pipeline>.feedback}: {@code {"id":"..","label":3,"eventTimeMs":..}}. Thread-safe.
 *
 * <p>Decoding checks each field itself rather than binding the record with Jackson, so that a
 * refused record's reason (a dead-letter header a client writer reads) names the field and the
 * rule, e.g. {@code missing field label}, {@code label must be an integer}, or
 * {@code malformed JSON at line 1 column 17: ...}, never Jackson's internals.
 */
public final class FeedbackCodec {

    private final ObjectMapper mapper = JsonCodecs.mapper();
    // A second JSON value after the record is garbage, not a record to ignore.
    private final ObjectMapper reader = JsonCodecs.mapper().copy().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Writes {@code feedback} as UTF-8 JSON. */
    public byte[] encode(LabelFeedback feedback) {
        try {
            return mapper.writeValueAsBytes(Objects.requireNonNull(feedback, "feedback"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write feedback " + feedback.id() + " as JSON", e);
        }
    }

    /**
     * Reads a feedback record. Unknown fields are ignored (the format evolves additively).
     *
     * @throws IllegalArgumentException if {@code json} is not a feedback record; its message is the
     *                                  short reason, e.g. {@code missing field label}
     */
    public LabelFeedback decode(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("null value");
        }
        JsonNode root;
        try {
            root = reader.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(JsonProblems.malformed(e));
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("malformed JSON: empty value");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("malformed JSON: not an object");
        }
        JsonNode id = field(root, "id");
        if (!id.isTextual()) {
            throw new IllegalArgumentException("id must be a string");
        }
        if (id.textValue().isEmpty()) {
            throw new IllegalArgumentException("empty id");
        }
        JsonNode label = field(root, "label");
        if (!label.isIntegralNumber() || !label.canConvertToInt()) {
            throw new IllegalArgumentException("label must be an integer");
        }
        if (label.intValue() < 0) {
            throw new IllegalArgumentException("label must be non-negative (a class index), got " + label.intValue());
        }
        JsonNode time = field(root, "eventTimeMs");
        if (!time.isIntegralNumber() || !time.canConvertToLong()) {
            throw new IllegalArgumentException("eventTimeMs must be an integer (epoch milliseconds)");
        }
        return new LabelFeedback(id.textValue(), label.intValue(), time.longValue());
    }

    private static JsonNode field(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field " + name);
        }
        return v;
    }
}
