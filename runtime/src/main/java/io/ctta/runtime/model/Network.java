package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * The architecture-specific half of an {@link AdaptiveModel}: how a forward pass runs in each
 * {@link ForwardMode}, which parameters and buffers exist and what they are, and the optional
 * encoder/head split and stage chain. Built-in DJL blocks and TorchScript modules implement it,
 * so every strategy sees one seam whatever the model. Not thread-safe; owned by its model.
 */
interface Network extends AutoCloseable {

    /**
     * Every parameter and buffer by name, in model order, typed by what it is: normalisation
     * affine parameters are {@code GAMMA}/{@code BETA}, BatchNorm running statistics are
     * {@code RUNNING_MEAN}/{@code RUNNING_VAR}, other buffers {@code OTHER} and not trainable.
     */
    Map<String, Parameter> parameters();

    /**
     * The logits (B x C) of a preprocessed input; the result lives in {@code x}'s manager.
     *
     * @param batchStatsWeight the BN-α weight in (0, 1]; below 1 only with {@link ForwardMode#BATCH_STATS}
     */
    NDArray forward(NDArray x, ForwardMode mode, float batchStatsWeight);

    /**
     * {@code NDList(features, logits)} of a preprocessed input.
     *
     * @throws UnsupportedOperationException when the network has no encoder/head split; the
     *     message says how to provide one
     */
    NDList forwardWithFeatures(NDArray x, ForwardMode mode);

    /**
     * The encoder as a chain of stages plus the head, run in eval mode.
     *
     * @throws UnsupportedOperationException when the network exposes no stages; the message says
     *     how to provide them
     */
    ModelStages stages();

    /** The names among {@link #parameters()} that are buffers (never trainable). */
    java.util.Set<String> buffers();

    /** Whether BN-α (a mix of running and batch statistics) can be computed. */
    boolean supportsMixedStatistics();

    /** The methods a TorchScript module exports; empty for built-in networks. */
    List<String> methods();

    /**
     * Called after parameters were made trainable or frozen ({@link AdaptiveModel#setTrainable}),
     * between steps: a TorchScript network with nothing trainable keeps its convolution kernels
     * channels-last, otherwise in the default layout (see {@link #preferChannelsLast}).
     */
    default void trainabilityChanged() {}

    /**
     * Whether the convolution kernels of a TorchScript network with nothing trainable are kept
     * channels-last ({@code ctta.model.channels-last}); built-in networks ignore it.
     */
    default void preferChannelsLast(boolean on) {}

    /**
     * Finishes any deferred work on the buffers (running statistics a batch-statistics forward
     * touched and that are restored when its scope closes), so that they can be read or written.
     */
    void settle();

    @Override
    void close();
}
