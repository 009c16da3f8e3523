package io.ctta.runtime.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * The built-in CNN for 28x28 grey images: conv3x3(16)-BN-ReLU-maxpool2, conv3x3(32)-BN-ReLU-maxpool2,
 * flatten, linear(64)-BN-ReLU, linear(C). About 110k parameters; small on purpose so that a CPU
 * epoch over 60k images stays within seconds on two cores. No dropout, so BATCH_STATS needs no
 * special case.
 */
final class BuiltinCnn {

    private BuiltinCnn() {}

    static SequentialBlock create(int numClasses, BatchNormBlock.Mode mode) {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).build())
                .add(new BatchNormBlock(mode))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(new BatchNormBlock(mode))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(64).build())
                .add(new BatchNormBlock(mode))
                .add(Activation::relu)
                .add(Linear.builder().setUnits(numClasses).build());
    }
}
