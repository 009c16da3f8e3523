package io.ctta.benchmarks.continual;

import java.util.Locale;

/** The permuted streams of the UPGD paper's protocol, by their option names. */
public enum StreamKind {
    /** Labels relabelled by a fresh permutation every task; images unchanged. */
    LABEL_PERMUTED("label-permuted"),
    /** Pixels rearranged by a fresh permutation every task; labels unchanged. */
    INPUT_PERMUTED("input-permuted");

    private final String optionName;

    StreamKind(String optionName) {
        this.optionName = optionName;
    }

    /** The name used in options, reports and file names: {@code label-permuted}. */
    public String optionName() {
        return optionName;
    }

    /**
     * Parses {@code label-permuted} or {@code input-permuted} (also the short {@code label} and
     * {@code input} of earlier versions).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static StreamKind parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (StreamKind k : values()) {
            if (k.optionName.equals(n) || k.optionName.equals(n + "-permuted")) {
                return k;
            }
        }
        throw new IllegalArgumentException("--streams takes label-permuted and/or input-permuted, got '" + name + "'");
    }

    @Override
    public String toString() {
        return optionName;
    }
}
