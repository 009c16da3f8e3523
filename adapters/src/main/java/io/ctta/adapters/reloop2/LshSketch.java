package io.ctta.adapters.reloop2;

import io.ctta.runtime.adapt.StrategyState;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ReLoop2's sketch memory (the paper's design; docs/strategies/reloop2.md): {@code K} independent arrays,
 * each indexed by an {@code L}-bit SimHash of the key ({@code bit_j = [w_{k,j}·h >= 0]},
 * {@code w ~ N(0, I_d)}, fixed from the seed), each bucket holding the sums
 * {@code (n, Σy, Σy_base)} (plus {@code Σh} in cosine mode).
 *
 * <p>Read: for every array the query's bucket gives one "similar sample" with
 * {@code ȳ_k = Σy/n}, {@code ȳ_base,k = Σy_base/n} and similarity {@code s_k = n_k / max_j n_j}
 * (count mode, our RACE-counter reading of the paper) or
 * {@code s_k = cos(h_q, Σh)} (cosine mode, our alternative). Empty buckets are skipped.
 *
 * <p>Decay: instead of multiplying every sum by {@code ρ} after each write epoch
 * ({@code K·2^L} multiplications), new writes are weighted by {@code ρ^-t}; every readout
 * (a ratio, or a direction) is invariant to a common scale, so this is exact. When the weight
 * grows past 1e15 all sums are rescaled once and the weight returns to 1.
 */
public final class LshSketch implements ErrorMemory {

    /** How a readout's similarity is derived. */
    public enum Similarity {
        /** {@code s_k = n_k / max_j n_j}: bucket counts only ({@code 2^L x K x (1 + 2V)} floats). */
        COUNT,
        /** {@code s_k = cos(h_q, Σh)}: also stores the key sum ({@code 2^L x K x (d + 1 + 2V)} floats). */
        COSINE
    }

    private static final double RESCALE_AT = 1e15;

    private final int d;
    private final int v;
    private final int k;
    private final int bits;
    private final int buckets;
    private final Similarity similarity;
    private final int stride;
    private final long seed;
    /** Planes, row {@code (array * bits + j)} of length d. */
    private final float[] planes;
    /** Per array: {@code buckets x stride} floats: n, Σy (v), Σy_base (v), [Σh (d)]. */
    private final float[][] sums;
    private double weight = 1;
    private long size;

    /**
     * @param keyDim d
     * @param valueDim V
     * @param arrays K (also the number of readouts per query)
     * @param bits L, 1..24
     * @param seed draws the hash planes
     * @throws IllegalArgumentException when an array would not fit a Java array
     */
    public LshSketch(int keyDim, int valueDim, int arrays, int bits, Similarity similarity, long seed) {
        if (keyDim < 1 || valueDim < 1 || arrays < 1 || bits < 1 || bits > 24) {
            throw new IllegalArgumentException("sketch needs keyDim, valueDim, arrays >= 1 and bits in 1..24, got "
                    + keyDim + ", " + valueDim + ", " + arrays + ", " + bits);
        }
        this.d = keyDim;
        this.v = valueDim;
        this.k = arrays;
        this.bits = bits;
        this.buckets = 1 << bits;
        this.similarity = similarity;
        this.stride = 1 + 2 * valueDim + (similarity == Similarity.COSINE ? keyDim : 0);
        this.seed = seed;
        if ((long) buckets * stride > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("one sketch array of 2^" + bits + " buckets x " + stride
                    + " floats does not fit a Java array; lower the bits");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        this.planes = new float[Math.multiplyExact(Math.multiplyExact(arrays, bits), keyDim)];
        for (int i = 0; i < planes.length; i++) {
            planes[i] = (float) rnd.nextGaussian();
        }
        this.sums = new float[arrays][buckets * stride];
    }

    /** Floats the sums of a sketch with these dimensions need (for size checks before allocating). */
    public static long floatsNeeded(int keyDim, int valueDim, int arrays, int bits, Similarity similarity) {
        long stride = 1 + 2L * valueDim + (similarity == Similarity.COSINE ? keyDim : 0);
        return (long) arrays * (1L << bits) * stride + (long) arrays * bits * keyDim;
    }

    @Override
    public int keyDim() {
        return d;
    }

    @Override
    public int valueDim() {
        return v;
    }

    /** K. */
    public int arrays() {
        return k;
    }

    /** L. */
    public int bits() {
        return bits;
    }

    /** The bucket of {@code key} in every array: {@code K} indices in {@code [0, 2^L)}. */
    public int[] buckets(float[] key) {
        checkKey(key);
        int[] out = new int[k];
        for (int a = 0; a < k; a++) {
            int idx = 0;
            for (int j = 0; j < bits; j++) {
                int off = (a * bits + j) * d;
                double dot = 0;
                for (int t = 0; t < d; t++) {
                    dot += planes[off + t] * key[t];
                }
                if (dot >= 0) {
                    idx |= 1 << j;
                }
            }
            out[a] = idx;
        }
        return out;
    }

    /**
     * The hash planes, row-major {@code (K·L) x d}: row {@code a·L + j} is plane j of array a.
     * For callers that compute all projections of a batch at once (one matrix product) and pass
     * them to {@link #buckets(float[], int)}. A copy.
     */
    public float[] planes() {
        return planes.clone();
    }

    /**
     * The buckets from precomputed projections {@code proj[offset + a·L + j] = w_{a,j} · h}
     * (the same bits as {@link #buckets(float[])} up to rounding of dot products near zero).
     */
    public int[] buckets(float[] proj, int offset) {
        int[] out = new int[k];
        for (int a = 0; a < k; a++) {
            int idx = 0;
            int base = offset + a * bits;
            for (int j = 0; j < bits; j++) {
                if (proj[base + j] >= 0) {
                    idx |= 1 << j;
                }
            }
            out[a] = idx;
        }
        return out;
    }

    @Override
    public void write(float[] key, float[] label, float[] basePrediction) {
        write(buckets(key), key, label, basePrediction);
    }

    /** {@link #write(float[], float[], float[])} with the key's buckets already computed. */
    public void write(int[] b, float[] key, float[] label, float[] basePrediction) {
        checkValues(label, basePrediction);
        checkKey(key);
        float w = (float) weight;
        for (int a = 0; a < k; a++) {
            float[] s = sums[a];
            int base = b[a] * stride;
            s[base] += w;
            for (int c = 0; c < v; c++) {
                s[base + 1 + c] += w * label[c];
                s[base + 1 + v + c] += w * basePrediction[c];
            }
            if (similarity == Similarity.COSINE) {
                int hOff = base + 1 + 2 * v;
                for (int t = 0; t < d; t++) {
                    s[hOff + t] += w * key[t];
                }
            }
        }
        size++;
    }

    @Override
    public Neighbours read(float[] key) {
        return read(buckets(key), key);
    }

    /** {@link #read(float[])} with the key's buckets already computed. */
    public Neighbours read(int[] b, float[] key) {
        checkKey(key);
        float[] sim = new float[k];
        float[] y = new float[k * v];
        float[] yb = new float[k * v];
        int n = 0;
        double maxCount = 0;
        double keyNorm = 0;
        if (similarity == Similarity.COSINE) {
            for (float x : key) {
                keyNorm += x * x;
            }
            keyNorm = Math.sqrt(keyNorm);
        }
        for (int a = 0; a < k; a++) {
            float[] s = sums[a];
            int base = b[a] * stride;
            float count = s[base];
            if (!(count > 0)) {
                continue; // an empty bucket says nothing
            }
            for (int c = 0; c < v; c++) {
                y[n * v + c] = s[base + 1 + c] / count;
                yb[n * v + c] = s[base + 1 + v + c] / count;
            }
            if (similarity == Similarity.COSINE) {
                int hOff = base + 1 + 2 * v;
                double dot = 0;
                double norm = 0;
                for (int t = 0; t < d; t++) {
                    dot += s[hOff + t] * key[t];
                    norm += (double) s[hOff + t] * s[hOff + t];
                }
                double den = Math.sqrt(norm) * keyNorm;
                sim[n] = den > 0 ? (float) (dot / den) : 0f;
            } else {
                sim[n] = count;
                maxCount = Math.max(maxCount, count);
            }
            n++;
        }
        if (n == 0) {
            return Neighbours.none(v);
        }
        if (similarity == Similarity.COUNT) {
            for (int i = 0; i < n; i++) {
                sim[i] = (float) (sim[i] / maxCount);
            }
        }
        return new Neighbours(n, sim, y, yb, v);
    }

    @Override
    public void endEpoch(double rho) {
        if (!(rho > 0 && rho <= 1)) {
            throw new IllegalArgumentException("decay factor must be in (0, 1], got " + rho);
        }
        if (rho == 1) {
            return;
        }
        weight /= rho;
        if (weight > RESCALE_AT) {
            float f = (float) (1 / weight);
            for (float[] s : sums) {
                for (int i = 0; i < s.length; i++) {
                    s[i] *= f;
                }
            }
            weight = 1;
        }
    }

    @Override
    public void clear() {
        for (float[] s : sums) {
            java.util.Arrays.fill(s, 0f);
        }
        weight = 1;
        size = 0;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long heapBytes() {
        return 4L * ((long) k * buckets * stride + planes.length);
    }

    /**
     * {@code sketch/<k>}: each array's sums ({@code 2^L x stride}); the planes are not exported,
     * they are redrawn from the seed (checked on import through {@code sketch.seed}).
     */
    @Override
    public Map<String, StrategyState.Tensor> exportTensors() {
        Map<String, StrategyState.Tensor> out = new HashMap<>();
        for (int a = 0; a < k; a++) {
            out.put("sketch/" + a, new StrategyState.Tensor(new long[] {buckets, stride}, sums[a]));
        }
        return out;
    }

    @Override
    public Map<String, Double> exportScalars() {
        return Map.of("sketch.weight", weight, "sketch.size", (double) size,
                "sketch.seed.hi", (double) (seed >>> 32), "sketch.seed.lo", (double) (seed & 0xFFFF_FFFFL),
                "sketch.bits", (double) bits, "sketch.arrays", (double) k);
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> tensors, Map<String, Double> scalars) {
        Double hi = scalars.get("sketch.seed.hi");
        Double lo = scalars.get("sketch.seed.lo");
        Long s = hi == null || lo == null ? null : (hi.longValue() << 32) | lo.longValue();
        if (s == null || s != seed || !Double.valueOf(bits).equals(scalars.get("sketch.bits"))
                || !Double.valueOf(k).equals(scalars.get("sketch.arrays"))) {
            throw new IllegalArgumentException("sketch state was written with seed/bits/arrays " + s + "/"
                    + scalars.get("sketch.bits") + "/" + scalars.get("sketch.arrays") + ", this sketch has " + seed
                    + "/" + bits + "/" + k);
        }
        float[][] loaded = new float[k][];
        for (int a = 0; a < k; a++) {
            StrategyState.Tensor t = tensors.get("sketch/" + a);
            if (t == null) {
                throw new IllegalArgumentException("sketch state lacks sketch/" + a);
            }
            float[] data = t.data();
            if (data.length != buckets * stride) {
                throw new IllegalArgumentException("sketch/" + a + " holds " + data.length + " floats, expected "
                        + buckets * stride);
            }
            loaded[a] = data;
        }
        System.arraycopy(loaded, 0, sums, 0, k);
        weight = scalars.getOrDefault("sketch.weight", 1.0);
        size = scalars.getOrDefault("sketch.size", 0.0).longValue();
    }

    private void checkKey(float[] key) {
        if (key.length != d) {
            throw new IllegalArgumentException("key has " + key.length + " floats, the sketch expects " + d);
        }
    }

    private void checkValues(float[] label, float[] basePrediction) {
        if (label.length != v || basePrediction.length != v) {
            throw new IllegalArgumentException("values must have " + v + " floats, got " + label.length + " and "
                    + basePrediction.length);
        }
    }
}
