package io.ctta.benchmarks.jmh;

import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.Mlp;
import java.util.SplittableRandom;

/**
 * Models and seeded synthetic inputs shared by the JMH benchmarks. Timing does not depend on the
 * pixel values, so no dataset is read: the benchmarks run on a machine without Fashion-MNIST.
 */
final class BenchInputs {

    /** The UPGD paper's online-learning network: 784-300-150-10 with ReLU (282,160 parameters). */
    static final Mlp.Architecture PAPER_MLP = Mlp.Architecture.parse("mlp:784-300-150-10");

    private BenchInputs() {}

    /** The paper's MLP, the built-in {@code mlp:784-300-150-10} (PyTorch's default Linear init). */
    static ModelSpec paperMlp() {
        return ModelSpec.mlp(PAPER_MLP);
    }

    /** {@code count} batches of {@code size} samples of {@code shape}, pixels uniform in [0, 1). */
    static InputBatch[] batches(int count, int size, int[] shape, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int per = InputBatch.sampleLength(shape);
        InputBatch[] out = new InputBatch[count];
        for (int b = 0; b < count; b++) {
            float[] f = new float[size * per];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rng.nextDouble();
            }
            out[b] = new InputBatch(size, shape, f);
        }
        return out;
    }

    /** {@code count} label vectors of {@code size} labels in {@code [0, classes)}. */
    static int[][] labels(int count, int size, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] out = new int[count][size];
        for (int[] l : out) {
            for (int i = 0; i < size; i++) {
                l[i] = rng.nextInt(classes);
            }
        }
        return out;
    }
}
