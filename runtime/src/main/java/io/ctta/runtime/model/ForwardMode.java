package io.ctta.runtime.model;

/**
 * How normalisation layers behave in a forward pass (the BatchNorm modes of the test-time adaptation
 * reference code {@code mariodoebler/test-time-adaptation}; see docs/strategies/norm.md).
 */
public enum ForwardMode {
    /** Eval: BN normalises with stored running statistics; nothing changes. */
    EVAL,
    /**
     * BN normalises with the current batch's statistics; running statistics are neither used nor
     * updated, and dropout stays off (TENT, BN-1 "norm_test").
     */
    BATCH_STATS,
    /** Full training mode: batch statistics, running statistics updated, dropout on. */
    TRAIN
}
