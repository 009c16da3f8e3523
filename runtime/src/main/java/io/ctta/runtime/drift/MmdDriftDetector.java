package io.ctta.runtime.drift;

import io.ctta.runtime.util.SplitMix64;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Feature drift by the kernel maximum mean discrepancy with a permutation test (Gretton et al.,
 * "A Kernel Two-Sample Test", JMLR 2012; alibi-detect's {@code MMDDrift}). For a reference window X (n vectors) and a test window Y (m):
 * <pre>
 *   k(x, y) = exp(−‖x − y‖² / (2σ²)),   σ = median pairwise distance of the pooled sample
 *   MMD²_u  = Σ_{i≠j} k(x_i, x_j) / (n(n−1)) + Σ_{i≠j} k(y_i, y_j) / (m(m−1)) − 2 Σ_{i,j} k(x_i, y_j) / (nm)
 *   p       = (1 + #{permutations with MMD²_perm ≥ MMD²_u}) / (1 + P)
 * </pre>
 * where each of the P permutations re-splits the pooled sample at random into n and m vectors
 * (σ and the kernel matrix stay those of the pooled sample). A window rejects when p &lt; α.
 *
 * <p>{@link #statistic()} is the observed MMD²_u and {@link #threshold()} the permutation-calibrated
 * critical value: the (c+1)-th largest permutation MMD², where c is the largest count with
 * (1 + c)/(1 + P) &lt; α, so that statistic &gt; threshold exactly when p &lt; α. Permutations are
 * drawn from a generator seeded by the detector's seed and the test's index, so a run is
 * reproducible and a restored detector draws the same permutations. If every pooled point is
 * identical (median distance 0), σ is the mean distance, or 1 if that is 0 too (our choice).
 */
public final class MmdDriftDetector extends TwoSampleWindowDetector {

    /** The registered name. */
    public static final String NAME = "mmd";

    private final MmdSettings settings;
    private final long seed;
    private double sigma;

    /** A detector with {@code settings}; {@code seed} fixes the permutations. */
    public MmdDriftDetector(MmdSettings settings, long seed) {
        super(settings.referenceSize(), settings.windowSize(), settings.consecutive(), Double.POSITIVE_INFINITY);
        this.settings = settings;
        this.seed = seed;
    }

    /** A detector with the defaults. */
    public MmdDriftDetector(long seed) {
        this(MmdSettings.defaults(), seed);
    }

    /** Its settings. */
    public MmdSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The kernel bandwidth σ of the last test (0 before the first). */
    public double sigma() {
        return sigma;
    }

    @Override
    void saveExtra(DetectorState.Builder b) {
        b.put("sigma", sigma);
    }

    @Override
    void restoreExtra(DetectorState state) {
        sigma = state.scalar("sigma");
    }

    @Override
    void resetExtra() {
        sigma = 0;
    }

    @Override
    Map<String, Double> settingScalars() {
        // the seed is part of the configuration a state must match: other seeds draw other permutations
        Map<String, Double> m = new HashMap<>(settings.asScalars());
        m.put("seed.high", (double) (seed >>> 32));
        m.put("seed.low", (double) (seed & 0xFFFFFFFFL));
        return m;
    }

    @Override
    TestResult test(double[] ref, int n, double[] cur, int m, int d, long testIndex) {
        int total = n + m;
        double[] pooled = new double[total * d];
        System.arraycopy(ref, 0, pooled, 0, n * d);
        System.arraycopy(cur, 0, pooled, n * d, m * d);
        double[] kernel = squaredDistances(pooled, total, d);
        sigma = medianHeuristic(kernel, total);
        double scale = -1.0 / (2 * sigma * sigma);
        for (int i = 0; i < total; i++) {
            kernel[i * total + i] = 1.0;
            for (int j = i + 1; j < total; j++) {
                double k = Math.exp(kernel[i * total + j] * scale);
                kernel[i * total + j] = k;
                kernel[j * total + i] = k;
            }
        }
        Split split = new Split(kernel, total);
        int[] order = new int[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        double observed = split.mmd2(order, n, m);
        int permutations = settings.permutations();
        double[] perm = new double[permutations];
        SplittableRandom rng = new SplittableRandom(SplitMix64.at(seed, testIndex + 1));
        int atLeast = 0;
        for (int p = 0; p < permutations; p++) {
            for (int i = 0; i < total; i++) {
                order[i] = i;
            }
            for (int i = total - 1; i > 0; i--) { // Fisher–Yates
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            perm[p] = split.mmd2(order, n, m);
            if (perm[p] >= observed) {
                atLeast++;
            }
        }
        double pValue = (1.0 + atLeast) / (1.0 + permutations);
        int c = criticalCount(settings.pValue(), permutations);
        Arrays.sort(perm); // ascending; the (c+1)-th largest is perm[P − 1 − c]
        double threshold = perm[permutations - 1 - c];
        return new TestResult(observed, threshold, pValue, pValue < settings.pValue());
    }

    /** The largest c with (1 + c)/(1 + P) &lt; α (≥ 0 by the settings' validation). */
    static int criticalCount(double alpha, int permutations) {
        int c = 0;
        while ((1.0 + c + 1) / (1.0 + permutations) < alpha) {
            c++;
        }
        return c;
    }

    /**
     * MMD²_u of splits of one pooled kernel matrix. With the full row sums R_i and the total
     * T = Σ_{i&lt;j} k_ij precomputed, a split needs only the pairs inside its smaller part S:
     * Σ_{i&lt;j ∈ S} k_ij directly, Σ_{i∈S, j∉S} k_ij = Σ_{i∈S} (R_i − 1) − 2 Σ_{i&lt;j ∈ S} k_ij, and
     * the other part's pairs as the rest of T; O(min(n, m)²) per split instead of O((n + m)²).
     */
    static final class Split {
        private final double[] kernel;
        private final int total;
        private final double[] rowSums;
        private final double pairSum;

        Split(double[] kernel, int total) {
            this.kernel = kernel;
            this.total = total;
            this.rowSums = new double[total];
            double all = 0;
            for (int i = 0; i < total; i++) {
                double r = 0;
                for (int j = 0; j < total; j++) {
                    r += kernel[i * total + j];
                }
                rowSums[i] = r;
                all += r;
            }
            // the diagonal is exp(0) = 1
            this.pairSum = (all - total) / 2;
        }

        /** MMD²_u when {@code order[0..n)} is X and {@code order[n..n+m)} is Y. */
        double mmd2(int[] order, int n, int m) {
            boolean smallIsX = n <= m;
            int from = smallIsX ? 0 : n;
            int size = smallIsX ? n : m;
            double inside = 0;
            double rows = 0;
            for (int a = 0; a < size; a++) {
                int i = order[from + a];
                rows += rowSums[i] - 1;
                int base = i * total;
                for (int b = a + 1; b < size; b++) {
                    inside += kernel[base + order[from + b]];
                }
            }
            double cross = rows - 2 * inside;
            double other = pairSum - inside - cross;
            double sxx = smallIsX ? inside : other;
            double syy = smallIsX ? other : inside;
            return 2 * sxx / ((double) n * (n - 1)) + 2 * syy / ((double) m * (m - 1)) - 2 * cross / ((double) n * m);
        }
    }

    /** MMD²_u by definition, O((n + m)²); the reference {@link Split} is checked against in tests. */
    static double mmd2Direct(double[] kernel, int total, boolean[] inX, int n, int m) {
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        for (int i = 0; i < total; i++) {
            for (int j = 0; j < total; j++) {
                if (i == j) {
                    continue;
                }
                double k = kernel[i * total + j];
                if (inX[i] && inX[j]) {
                    sxx += k;
                } else if (!inX[i] && !inX[j]) {
                    syy += k;
                } else if (inX[i]) {
                    sxy += k;
                }
            }
        }
        return sxx / ((double) n * (n - 1)) + syy / ((double) m * (m - 1)) - 2 * sxy / ((double) n * m);
    }

    private static double[] squaredDistances(double[] x, int total, int d) {
        double[] out = new double[total * total];
        for (int i = 0; i < total; i++) {
            for (int j = i + 1; j < total; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    double diff = x[i * d + k] - x[j * d + k];
                    s += diff * diff;
                }
                out[i * total + j] = s;
                out[j * total + i] = s;
            }
        }
        return out;
    }

    /** The median of the pairwise Euclidean distances (i &lt; j), from squared distances. */
    static double medianHeuristic(double[] squared, int total) {
        int pairs = total * (total - 1) / 2;
        double[] dist = new double[pairs];
        int p = 0;
        double sum = 0;
        for (int i = 0; i < total; i++) {
            for (int j = i + 1; j < total; j++) {
                dist[p] = Math.sqrt(squared[i * total + j]);
                sum += dist[p];
                p++;
            }
        }
        int upper = pairs / 2;
        double hi = select(dist, upper);
        double median = hi;
        if (pairs % 2 == 0) {
            // after select, dist[0..upper) holds the values below the upper middle one
            double lo = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < upper; i++) {
                lo = Math.max(lo, dist[i]);
            }
            median = 0.5 * (lo + hi);
        }
        if (median > 0) {
            return median;
        }
        double mean = sum / pairs;
        return mean > 0 ? mean : 1.0;
    }

    /** The k-th smallest value (0-based) by quickselect; partially reorders {@code a}. */
    static double select(double[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

}
