package io.ctta.adapters.reloop2;

import io.ctta.runtime.adapt.StrategyState;
import java.util.HashMap;
import java.util.Map;

/**
 * The exact alternative to the sketch (our addition; docs/strategies/reloop2.md): a ring buffer of the last
 * {@code capacity} samples {@code (h, y, y_base)}, read by brute-force cosine similarity, top K.
 * Eviction is first-in-first-out. Meant for small streams, tests and as an oracle for the
 * sketch: a read costs {@code O(capacity · d)}.
 *
 * <p>Decay ({@code ρ < 1}) cannot down-weight stored samples without changing the attention weights of
 * the compensation, so here it acts as an age limit: a sample is dropped once its decayed weight
 * {@code ρ^age} (age in write epochs) falls below a thousandth, i.e. after
 * {@code log(1e-3)/log(ρ)} epochs. Keys are stored unit-normalised.
 */
public final class KnnMemory implements ErrorMemory {

    private static final double NEGLIGIBLE = 1e-3;

    private final int d;
    private final int v;
    private final int k;
    private final int capacity;
    private final float[] keys;
    private final float[] labels;
    private final float[] basePredictions;
    private final long[] epochs;
    private int next;
    private int count;
    private long epoch;
    private long size;

    /**
     * @param keyDim d
     * @param valueDim V
     * @param neighbours K
     * @param capacity samples kept (FIFO)
     */
    public KnnMemory(int keyDim, int valueDim, int neighbours, int capacity) {
        if (keyDim < 1 || valueDim < 1 || neighbours < 1 || capacity < 1) {
            throw new IllegalArgumentException("knn memory needs keyDim, valueDim, neighbours and capacity >= 1, got "
                    + keyDim + ", " + valueDim + ", " + neighbours + ", " + capacity);
        }
        if ((long) capacity * Math.max(keyDim, valueDim) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("knn capacity " + capacity + " x " + keyDim + " does not fit a Java array");
        }
        this.d = keyDim;
        this.v = valueDim;
        this.k = neighbours;
        this.capacity = capacity;
        this.keys = new float[capacity * keyDim];
        this.labels = new float[capacity * valueDim];
        this.basePredictions = new float[capacity * valueDim];
        this.epochs = new long[capacity];
    }

    @Override
    public int keyDim() {
        return d;
    }

    @Override
    public int valueDim() {
        return v;
    }

    /** Samples held now (at most the capacity). */
    public int held() {
        return count;
    }

    @Override
    public void write(float[] key, float[] label, float[] basePrediction) {
        if (key.length != d || label.length != v || basePrediction.length != v) {
            throw new IllegalArgumentException("expected a key of " + d + " and values of " + v + " floats, got "
                    + key.length + ", " + label.length + ", " + basePrediction.length);
        }
        double norm = 0;
        for (float x : key) {
            norm += x * x;
        }
        float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
        for (int t = 0; t < d; t++) {
            keys[next * d + t] = key[t] * inv;
        }
        System.arraycopy(label, 0, labels, next * v, v);
        System.arraycopy(basePrediction, 0, basePredictions, next * v, v);
        epochs[next] = epoch;
        next = (next + 1) % capacity;
        count = Math.min(count + 1, capacity);
        size++;
    }

    @Override
    public Neighbours read(float[] key) {
        if (key.length != d) {
            throw new IllegalArgumentException("key has " + key.length + " floats, the memory expects " + d);
        }
        if (count == 0) {
            return Neighbours.none(v);
        }
        double norm = 0;
        for (float x : key) {
            norm += x * x;
        }
        float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
        int m = Math.min(k, count);
        // A min-heap of the m best (similarity, slot), kept as parallel arrays.
        float[] heapSim = new float[m];
        int[] heapSlot = new int[m];
        int filled = 0;
        int oldest = count < capacity ? 0 : next;
        for (int i = 0; i < count; i++) {
            int slot = (oldest + i) % capacity;
            double dot = 0;
            int off = slot * d;
            for (int t = 0; t < d; t++) {
                dot += keys[off + t] * key[t];
            }
            float s = (float) (dot * inv);
            if (filled < m) {
                heapSim[filled] = s;
                heapSlot[filled] = slot;
                siftUp(heapSim, heapSlot, filled++);
            } else if (s > heapSim[0]) {
                heapSim[0] = s;
                heapSlot[0] = slot;
                siftDown(heapSim, heapSlot, m);
            }
        }
        float[] y = new float[m * v];
        float[] yb = new float[m * v];
        for (int i = 0; i < m; i++) {
            System.arraycopy(labels, heapSlot[i] * v, y, i * v, v);
            System.arraycopy(basePredictions, heapSlot[i] * v, yb, i * v, v);
        }
        return new Neighbours(m, heapSim, y, yb, v);
    }

    private static void siftUp(float[] s, int[] slot, int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (s[p] <= s[i]) {
                return;
            }
            swap(s, slot, i, p);
            i = p;
        }
    }

    private static void siftDown(float[] s, int[] slot, int n) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int min = i;
            if (l < n && s[l] < s[min]) {
                min = l;
            }
            if (r < n && s[r] < s[min]) {
                min = r;
            }
            if (min == i) {
                return;
            }
            swap(s, slot, i, min);
            i = min;
        }
    }

    private static void swap(float[] s, int[] slot, int a, int b) {
        float t = s[a];
        s[a] = s[b];
        s[b] = t;
        int u = slot[a];
        slot[a] = slot[b];
        slot[b] = u;
    }

    /** Advances the epoch; with {@code rho < 1}, drops samples whose decayed weight is negligible. */
    @Override
    public void endEpoch(double rho) {
        if (!(rho > 0 && rho <= 1)) {
            throw new IllegalArgumentException("decay factor must be in (0, 1], got " + rho);
        }
        epoch++;
        if (rho == 1 || count == 0) {
            return;
        }
        long maxAge = (long) Math.floor(Math.log(NEGLIGIBLE) / Math.log(rho));
        // The oldest samples sit right after the write position; drop them while too old.
        int oldest = count < capacity ? 0 : next;
        int drop = 0;
        while (drop < count && epoch - epochs[(oldest + drop) % capacity] > maxAge) {
            drop++;
        }
        if (drop > 0) {
            compactDropping(oldest, drop);
        }
    }

    private void compactDropping(int oldest, int drop) {
        int keep = count - drop;
        float[] nk = new float[keys.length];
        float[] ny = new float[labels.length];
        float[] nb = new float[basePredictions.length];
        long[] ne = new long[epochs.length];
        for (int i = 0; i < keep; i++) {
            int slot = (oldest + drop + i) % capacity;
            System.arraycopy(keys, slot * d, nk, i * d, d);
            System.arraycopy(labels, slot * v, ny, i * v, v);
            System.arraycopy(basePredictions, slot * v, nb, i * v, v);
            ne[i] = epochs[slot];
        }
        System.arraycopy(nk, 0, keys, 0, nk.length);
        System.arraycopy(ny, 0, labels, 0, ny.length);
        System.arraycopy(nb, 0, basePredictions, 0, nb.length);
        System.arraycopy(ne, 0, epochs, 0, ne.length);
        count = keep;
        next = keep % capacity;
    }

    @Override
    public void clear() {
        count = 0;
        next = 0;
        size = 0;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long heapBytes() {
        return 4L * (keys.length + labels.length + basePredictions.length) + 8L * epochs.length;
    }

    /** The held samples, oldest first: {@code knn/keys} (n x d), {@code knn/labels}, {@code knn/base} (n x V). */
    @Override
    public Map<String, StrategyState.Tensor> exportTensors() {
        float[] k2 = new float[count * d];
        float[] y2 = new float[count * v];
        float[] b2 = new float[count * v];
        float[] e2 = new float[count];
        int oldest = count < capacity ? 0 : next;
        for (int i = 0; i < count; i++) {
            int slot = (oldest + i) % capacity;
            System.arraycopy(keys, slot * d, k2, i * d, d);
            System.arraycopy(labels, slot * v, y2, i * v, v);
            System.arraycopy(basePredictions, slot * v, b2, i * v, v);
            e2[i] = (float) (epoch - epochs[slot]); // ages are small integers, exact in float
        }
        Map<String, StrategyState.Tensor> out = new HashMap<>();
        out.put("knn/keys", new StrategyState.Tensor(new long[] {count, d}, k2));
        out.put("knn/labels", new StrategyState.Tensor(new long[] {count, v}, y2));
        out.put("knn/base", new StrategyState.Tensor(new long[] {count, v}, b2));
        out.put("knn/age", new StrategyState.Tensor(new long[] {count}, e2));
        return out;
    }

    @Override
    public Map<String, Double> exportScalars() {
        return Map.of("knn.epoch", (double) epoch, "knn.size", (double) size, "knn.capacity", (double) capacity);
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> tensors, Map<String, Double> scalars) {
        StrategyState.Tensor tk = tensors.get("knn/keys");
        StrategyState.Tensor ty = tensors.get("knn/labels");
        StrategyState.Tensor tb = tensors.get("knn/base");
        StrategyState.Tensor ta = tensors.get("knn/age");
        if (tk == null || ty == null || tb == null || ta == null) {
            throw new IllegalArgumentException("knn state lacks one of knn/keys, knn/labels, knn/base, knn/age");
        }
        long[] shape = tk.shape();
        int n = (int) shape[0];
        if (shape[1] != d || ty.shape()[1] != v || n > capacity) {
            throw new IllegalArgumentException("knn state holds " + n + " samples of key " + shape[1] + " / value "
                    + ty.shape()[1] + "; this memory has capacity " + capacity + ", key " + d + ", value " + v);
        }
        float[] k2 = tk.data();
        float[] y2 = ty.data();
        float[] b2 = tb.data();
        float[] a2 = ta.data();
        long e = scalars.getOrDefault("knn.epoch", 0.0).longValue();
        System.arraycopy(k2, 0, keys, 0, k2.length);
        System.arraycopy(y2, 0, labels, 0, y2.length);
        System.arraycopy(b2, 0, basePredictions, 0, b2.length);
        for (int i = 0; i < n; i++) {
            epochs[i] = e - (long) a2[i];
        }
        epoch = e;
        count = n;
        next = n % capacity;
        size = scalars.getOrDefault("knn.size", (double) n).longValue();
    }
}
