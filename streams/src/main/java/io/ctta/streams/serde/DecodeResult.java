package io.ctta.streams.serde;

import io.ctta.streams.record.InferenceRecord;

import java.util.Objects;

/**
 * Outcome of decoding one Kafka record: failure is data, not an exception, so one poison record
 * cannot fail a stream (it goes to the dead-letter topic with {@link Rejected#reason()}).
 */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Rejected {

    /** The value was a valid record within the configured limits. */
    record Decoded(InferenceRecord record) implements DecodeResult {
        public Decoded {
            Objects.requireNonNull(record, "record");
        }
    }

    /**
     * The value was refused.
     *
     * @param reason human-readable cause; starts with a stable prefix listed in docs/record-format.md
     */
    record Rejected(String reason) implements DecodeResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
