package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.LibtorchKernels;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.util.SplitMix64;
import java.util.Map;

/**
 * Seeded Gaussian perturbations for perturbed optimizers (UPGD, PGD, Shrink-and-Perturb).
 *
 * <p>Why counter-based: the noise of step {@code t} for the {@code i}-th parameter tensor is
 * drawn from a generator seeded by {@code mix(seed, t, i)} alone. A checkpoint therefore needs no
 * generator state (the step count is enough) and a restored optimizer replays the exact same
 * perturbations, independent of the engine's process-global generator and of other strategies in
 * the JVM. The values come from libtorch ({@code torch.randn} with a {@code torch.Generator} of
 * that seed, {@link LibtorchKernels#gaussian}): drawn natively, vectorised, straight into the
 * tensor the update reads, and the same whether an optimizer draws them itself or a fused step
 * kernel does. Drawing them on the Java heap cost about 1.3 ms per step for the UPGD paper's MLP.
 *
 * <p>libtorch's CPU generator (mt19937) takes a 32-bit seed, so the stream seed is folded to 32
 * bits: two (step, tensor) pairs share their noise with probability 2^-32.
 */
public final class GaussianNoise {

    private GaussianNoise() {}

    /**
     * {@code n} i.i.d. samples of {@code N(0, sigma²)} for step {@code step} (1-based) of tensor
     * {@code tensor}; the same arguments always give the same values, those {@link #draw} makes.
     */
    public static float[] sample(long seed, long step, int tensor, int n, double sigma) {
        try (NDManager scratch = NDManager.newBaseManager()) {
            return draw(scratch, seed, step, tensor, new Shape(n), sigma).toFloatArray();
        }
    }

    /**
     * The noise of {@code (seed, step, tensor)}, {@code N(0, sigma²)} of {@code shape}, as a tensor
     * made in {@code manager} (inside a step scope: it dies with the step).
     */
    public static NDArray draw(NDManager manager, long seed, long step, int tensor, Shape shape, double sigma) {
        return LibtorchKernels.get().gaussian(generatorSeed(seed, step, tensor), shape, sigma, manager);
    }

    /** The 32-bit generator seed of one (step, tensor) pair: its 64-bit stream seed, halves xor-ed. */
    public static long generatorSeed(long seed, long step, int tensor) {
        long s = streamSeed(seed, step, tensor);
        return (s ^ (s >>> 32)) & 0xFFFF_FFFFL;
    }

    /**
     * A 64-bit seed as a state tensor of four 16-bit chunks (each exact in float32), so that an
     * optimizer's exported state names its noise completely.
     */
    public static StrategyState.Tensor seedTensor(long seed) {
        float[] chunks = new float[4];
        for (int i = 0; i < 4; i++) {
            chunks[i] = (seed >>> (16 * i)) & 0xFFFF;
        }
        return new StrategyState.Tensor(new long[] {4}, chunks);
    }

    /**
     * The seed held by a {@link #seedTensor(long)} tensor.
     *
     * @throws IllegalArgumentException when the tensor is not four 16-bit chunks
     */
    public static long seedOf(StrategyState.Tensor tensor) {
        float[] chunks = tensor.data();
        if (chunks.length != 4) {
            throw new IllegalArgumentException("a noise seed is 4 chunks, got " + chunks.length);
        }
        long seed = 0;
        for (int i = 0; i < 4; i++) {
            float c = chunks[i];
            if (c != Math.rint(c) || c < 0 || c > 0xFFFF) {
                throw new IllegalArgumentException("noise seed chunk " + i + " is not a 16-bit value: " + c);
            }
            seed |= ((long) c) << (16 * i);
        }
        return seed;
    }

    /**
     * The seed held by the {@link #seedTensor(long)} tensor under {@code key} in an optimizer's
     * imported state, or {@code otherwise} when the state has none.
     *
     * @throws IllegalArgumentException when that tensor is not four 16-bit chunks
     */
    public static long seedOf(Map<String, StrategyState.Tensor> state, String key, long otherwise) {
        StrategyState.Tensor s = state.get(key);
        return s == null ? otherwise : seedOf(s);
    }

    /** The generator seed of one (step, tensor) pair. */
    static long streamSeed(long seed, long step, int tensor) {
        return SplitMix64.mix(SplitMix64.mix(seed) ^ SplitMix64.mix(step * SplitMix64.GOLDEN + tensor + 1));
    }
}
