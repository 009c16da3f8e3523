package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One reused native-order direct buffer per parameter tensor, into which a perturbed optimizer
 * draws its {@link GaussianNoise} every step. Why: drawing into a fresh {@code float[]} and
 * creating a tensor from it allocated a heap array, then a zeroed direct buffer, then copied twice
 * (about 1 MB each for a 300x784 weight); a direct buffer is handed to libtorch as it is.
 * Not thread-safe, like the optimizers using it.
 */
final class NoiseBuffers {

    private final List<ByteBuffer> buffers = new ArrayList<>();

    /**
     * The noise of {@code (seed, step, tensor)}, {@code N(0, sigma²)} of {@code shape}, as a tensor
     * made in {@code manager} (inside a step scope: it dies with the step). The same values as
     * {@link GaussianNoise#sample}.
     */
    NDArray draw(NDManager manager, long seed, long step, int tensor, Shape shape, double sigma) {
        int n = Math.toIntExact(shape.size());
        ByteBuffer b = buffer(tensor, n);
        GaussianNoise.fill(b.asFloatBuffer(), seed, step, tensor, n, sigma);
        return manager.create(b, shape, DataType.FLOAT32);
    }

    private ByteBuffer buffer(int tensor, int n) {
        while (buffers.size() <= tensor) {
            buffers.add(null);
        }
        ByteBuffer b = buffers.get(tensor);
        if (b == null || b.capacity() != n * Float.BYTES) {
            b = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder());
            buffers.set(tensor, b);
        }
        b.clear();
        return b;
    }
}
