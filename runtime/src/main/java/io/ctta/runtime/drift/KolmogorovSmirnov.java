package io.ctta.runtime.drift;

import java.util.Arrays;

/**
 * The two-sample Kolmogorov–Smirnov test (docs/drift.md): the statistic
 * D = sup_x |F_a(x) − F_b(x)| over the pooled sample points, its exact null distribution by
 * lattice-path counting, and the asymptotic Kolmogorov distribution.
 *
 * <p>The exact p-value is P(D ≥ d) for two samples of sizes n and m from one continuous
 * distribution: the fraction of the C(n+m, n) monotone lattice paths from (0, 0) to (n, m) that
 * touch |i/n − j/m| ≥ d. It is computed in integers (D · n · m is an integer) with a normalised
 * recurrence that never cancels, so small p-values keep their relative precision; cost O(n · m).
 * With ties between the samples the test is conservative.
 */
public final class KolmogorovSmirnov {

    private KolmogorovSmirnov() {
    }

    /** D for two samples (unsorted; not modified). */
    public static double statistic(double[] a, double[] b) {
        double[] sa = a.clone();
        double[] sb = b.clone();
        Arrays.sort(sa);
        Arrays.sort(sb);
        return (double) scaledStatisticSorted(sa, sb) / ((double) sa.length * sb.length);
    }

    /**
     * D · n · m as an integer for two sorted samples of sizes n and m: at every distinct pooled
     * value x, |#{a ≤ x} · m − #{b ≤ x} · n|, maximised.
     */
    public static long scaledStatisticSorted(double[] a, double[] b) {
        requireNonEmpty(a.length, b.length);
        long n = a.length;
        long m = b.length;
        int i = 0;
        int j = 0;
        long best = 0;
        while (i < a.length && j < b.length) {
            double x = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            best = Math.max(best, Math.abs(i * m - j * n));
        }
        // once one sample is exhausted the difference only shrinks towards 0 at (n, m)
        return best;
    }

    /** The exact two-sided p-value P(D ≥ d) for sample sizes n and m, d given as D · n · m. */
    public static double exactPValue(int n, int m, long scaledD) {
        requireNonEmpty(n, m);
        if (scaledD <= 0) {
            return 1.0;
        }
        // q[j] holds, for the current i, the probability that a uniform random path to (i, j)
        // has touched the rejection region |i·m − j·n| ≥ d.
        double[] q = new double[m + 1];
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= m; j++) {
                if (Math.abs((long) i * m - (long) j * n) >= scaledD) {
                    q[j] = 1.0;
                } else if (i == 0 && j == 0) {
                    q[j] = 0.0;
                } else {
                    double fromLeft = i > 0 ? q[j] * i / (i + j) : 0.0; // q[j] still holds row i − 1
                    double fromBelow = j > 0 ? q[j - 1] * j / (i + j) : 0.0;
                    q[j] = fromLeft + fromBelow;
                }
            }
        }
        return Math.min(1.0, q[m]);
    }

    /** The asymptotic p-value Q(sqrt(n m / (n + m)) · d). */
    public static double asymptoticPValue(int n, int m, double d) {
        requireNonEmpty(n, m);
        double ne = (double) n * m / (n + m);
        return kolmogorovQ(Math.sqrt(ne) * d);
    }

    /**
     * The Kolmogorov survival function Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²); for λ &lt; 1.18
     * through the equivalent theta-function form 1 − (√(2π)/λ) Σ_{j≥1} exp(−(2j−1)² π² / (8 λ²)),
     * which converges fast there.
     */
    public static double kolmogorovQ(double lambda) {
        if (!(lambda > 0)) {
            return 1.0;
        }
        if (lambda < 1.18) {
            double sum = 0;
            double c = Math.PI * Math.PI / (8 * lambda * lambda);
            for (int j = 1; j <= 20; j++) {
                double k = 2.0 * j - 1;
                double term = Math.exp(-k * k * c);
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            return Math.max(0.0, Math.min(1.0, 1 - Math.sqrt(2 * Math.PI) / lambda * sum));
        }
        double sum = 0;
        for (int j = 1; j <= 100; j++) {
            double term = Math.exp(-2.0 * j * j * lambda * lambda);
            sum += (j % 2 == 1) ? term : -term;
            if (term < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return Math.max(0.0, Math.min(1.0, 2 * sum));
    }

    private static void requireNonEmpty(int n, int m) {
        if (n < 1 || m < 1) {
            throw new IllegalArgumentException("both samples must be non-empty, got sizes " + n + " and " + m);
        }
    }
}
