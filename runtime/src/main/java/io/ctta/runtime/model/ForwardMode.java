package io.ctta.runtime.model;

/**
 * How normalisation layers behave in a forward pass (ALGORITHMS.md 2.4).
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
