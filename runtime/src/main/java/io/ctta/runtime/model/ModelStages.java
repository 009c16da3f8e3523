package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;

/**
 * A model's encoder as an ordered chain of stages followed by its classifier head, all run in
 * eval mode (running statistics, no dropout): {@code classify(stage_N(...stage_1(x)))} equals the
 * model's eval-mode logits for a preprocessed input {@code x} (see
 * {@link AdaptiveModel#preprocessedInput}). Strategies that act between layers (EcoTTA's meta
 * networks) run the frozen network through it.
 *
 * <p>Built-in models expose their layers as stages; a TorchScript module exports methods
 * {@code stage1, stage2, ...} and {@code classify} (docs/models.md). Gradients flow through every
 * stage when the caller has opened a gradient session; the network's own parameters are
 * whatever the model's trainable flags say. Results live in the input's manager.
 */
public interface ModelStages {

    /** The number of stages {@code N}. */
    int count();

    /**
     * Runs stage {@code k} (1-based) on {@code x}.
     *
     * @throws IndexOutOfBoundsException for {@code k} outside {@code 1..count()}
     */
    NDArray run(int k, NDArray x);

    /** The head on the output of the last stage: the logits (B x C). */
    NDArray classify(NDArray features);
}
