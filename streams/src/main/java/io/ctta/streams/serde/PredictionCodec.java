package io.ctta.streams.serde;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ctta.streams.record.PredictionRecord;

import java.io.IOException;
import java.util.Objects;

/**
 * JSON for {@code <pipeline>.predictions}: one object per {@link PredictionRecord}, field names equal
 * to the record's component names (see docs/record-format.md). Thread-safe.
 */
public final class PredictionCodec {

    private final ObjectMapper mapper = JsonCodecs.mapper();

    /** Writes {@code prediction} as UTF-8 JSON. */
    public byte[] encode(PredictionRecord prediction) {
        try {
            return mapper.writeValueAsBytes(Objects.requireNonNull(prediction, "prediction"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write prediction " + prediction.id() + " as JSON", e);
        }
    }

    /**
     * Reads a prediction.
     *
     * @throws IllegalArgumentException if {@code json} is not a prediction record
     */
    public PredictionRecord decode(byte[] json) {
        try {
            return mapper.readValue(Objects.requireNonNull(json, "json"), PredictionRecord.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a prediction record: " + e.getMessage(), e);
        }
    }
}
