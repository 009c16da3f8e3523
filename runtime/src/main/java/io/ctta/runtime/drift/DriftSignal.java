package io.ctta.runtime.drift;

import java.util.Locale;

/** The per-record signal a detector watches; its wire name is the {@code signal} tag and event field. */
public enum DriftSignal {
    /** Prediction entropy in nats (label-free; rises under drift). */
    ENTROPY,
    /** Top-class probability (label-free; falls under drift). */
    CONFIDENCE,
    /** 0/1 prediction error once the label is known (prequential). */
    ERROR,
    /** Embedding (penultimate features) vectors, for two-sample tests. */
    EMBEDDING,
    /**
     * Statistics of the raw input of each record (mean and standard deviation of its features,
     * scaled to [0, 1] for 8-bit images), for two-sample tests; needs nothing from the model.
     */
    INPUT;

    /** The lower-case name used on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name, case-insensitively. */
    public static DriftSignal fromWireName(String name) {
        for (DriftSignal s : values()) {
            if (s.wireName().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown drift signal '" + name + "'; known: entropy, confidence, error, embedding, input");
    }
}
