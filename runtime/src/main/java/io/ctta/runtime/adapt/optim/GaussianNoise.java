package io.ctta.runtime.adapt.optim;

import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.util.SplitMix64;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded Gaussian perturbations for perturbed optimizers (UPGD, PGD, Shrink-and-Perturb).
 *
 * <p>Why counter-based: the noise of step {@code t} for the {@code i}-th parameter tensor is
 * drawn from a generator seeded by {@code mix(seed, t, i)} alone. A checkpoint therefore needs no
 * generator state (the step count is enough) and a restored optimizer replays the exact same
 * perturbations, independent of the engine's process-global RNG and of other strategies in the
 * JVM. Values come from {@link SplittableRandom#nextGaussian()}; optimizers draw them straight into
 * reused native buffers ({@link #fill}).
 */
public final class GaussianNoise {

    private GaussianNoise() {}

    /**
     * {@code n} i.i.d. samples of {@code N(0, sigma²)} for step {@code step} (1-based) of tensor
     * {@code tensor}; the same arguments always give the same values.
     */
    public static float[] sample(long seed, long step, int tensor, int n, double sigma) {
        float[] out = new float[n];
        fill(FloatBuffer.wrap(out), seed, step, tensor, n, sigma);
        return out;
    }

    /**
     * Writes the {@code n} values {@link #sample} returns into {@code out} from its position
     * (absolute puts; the position is left where it was), e.g. into a reused direct buffer that
     * libtorch reads without a copy through the heap.
     */
    public static void fill(FloatBuffer out, long seed, long step, int tensor, int n, double sigma) {
        if (out.remaining() < n) {
            throw new IllegalArgumentException("buffer has room for " + out.remaining() + " values, " + n + " asked");
        }
        SplittableRandom rng = new SplittableRandom(streamSeed(seed, step, tensor));
        int at = out.position();
        for (int k = 0; k < n; k++) {
            out.put(at + k, (float) (rng.nextGaussian() * sigma));
        }
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
