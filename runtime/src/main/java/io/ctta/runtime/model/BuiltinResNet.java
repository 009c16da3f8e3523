package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * The built-in RGB model: a small ResNet (He et al., CVPR 2016) with BatchNorm, for users who bring
 * images but no network. Stem conv3x3(16)-BN-ReLU; three basic residual blocks of 16, 32 and 64
 * channels (the last two with stride 2 and a 1x1 projection shortcut); global average pooling,
 * flatten, linear(C). About 78k parameters: trainable on two CPU cores in minutes, and the shape
 * of the ResNets the TTA literature adapts (every convolution followed by BatchNorm, no dropout).
 *
 * <p>Its top-level layers are its stages (stem conv, BN, ReLU, the three blocks, pooling,
 * flatten); the last layer is the head. Why our own instead of DJL's model-zoo ResNet builder:
 * its BatchNorm is DJL's, which updates running statistics in training mode and cannot run with
 * batch statistics alone or BN-α ({@link BatchNormBlock} can).
 */
final class BuiltinResNet {

    private BuiltinResNet() {}

    static SequentialBlock create(int numClasses, BatchNormBlock.Mode mode) {
        return new SequentialBlock()
                .add(conv(16, 3, 1))
                .add(new BatchNormBlock(mode))
                .add(Activation::relu)
                .add(basicBlock(16, 1, false, mode))
                .add(basicBlock(32, 2, true, mode))
                .add(basicBlock(64, 2, true, mode))
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(numClasses).build());
    }

    /** relu(main(x) + shortcut(x)), main = conv-BN-ReLU-conv-BN. */
    private static Block basicBlock(int channels, int stride, boolean project, BatchNormBlock.Mode mode) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(channels, 3, stride))
                .add(new BatchNormBlock(mode))
                .add(Activation::relu)
                .add(conv(channels, 3, 1))
                .add(new BatchNormBlock(mode));
        Block shortcut = project
                ? new SequentialBlock().add(conv(channels, 1, stride)).add(new BatchNormBlock(mode))
                : Blocks.identityBlock();
        return new ParallelBlock(BuiltinResNet::addThenRelu, List.of(main, shortcut));
    }

    private static NDList addThenRelu(List<NDList> branches) {
        NDArray sum = branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow());
        return new NDList(Activation.relu(sum));
    }

    private static Conv2d conv(int filters, int kernel, int stride) {
        int pad = kernel / 2;
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad)).setFilters(filters).optBias(false).build();
    }
}
