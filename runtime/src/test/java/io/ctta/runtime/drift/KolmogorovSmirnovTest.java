package io.ctta.runtime.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KolmogorovSmirnovTest {

    /** Two-sample Kolmogorov–Smirnov statistic: ref = [1, 2, 3, 4], cur = [3, 4, 5, 6] → D = 0.5 (the sup is reached at 2, 3 and 4). */
    @Test
    void statisticKnownAnswers() {
        assertEquals(0.5, KolmogorovSmirnov.statistic(new double[] {1, 2, 3, 4}, new double[] {3, 4, 5, 6}));
        assertEquals(0.5, KolmogorovSmirnov.statistic(new double[] {4, 3, 2, 1}, new double[] {6, 5, 4, 3}), "order does not matter");
        assertEquals(1.0, KolmogorovSmirnov.statistic(new double[] {1, 2}, new double[] {3, 4, 5}));
        assertEquals(0.0, KolmogorovSmirnov.statistic(new double[] {1, 2, 3}, new double[] {1, 2, 3}));
        // n = 2, m = 3: a = [1, 4], b = [2, 3, 5]; at 1: |1/2 − 0| = .5, at 3: |1/2 − 2/3|, at 4: |1 − 2/3|
        assertEquals(0.5, KolmogorovSmirnov.statistic(new double[] {1, 4}, new double[] {2, 3, 5}), 1e-15);
    }

    /**
     * For n = m the Gnedenko–Korolyuk formula gives P(D ≥ k/n) = 2 Σ_{j≥1} (−1)^{j−1} C(2n, n − jk) / C(2n, n).
     * n = 4, k = 2 (the example above): 2 (28 − 1) / 70 = 54/70 = 0.7714286; k = 4: 2/70.
     */
    @Test
    void exactPValueMatchesGnedenkoKorolyuk() {
        assertEquals(54.0 / 70.0, KolmogorovSmirnov.exactPValue(4, 4, 8), 1e-15);
        assertEquals(2.0 / 70.0, KolmogorovSmirnov.exactPValue(4, 4, 16), 1e-15);
        assertEquals(1.0, KolmogorovSmirnov.exactPValue(4, 4, 0));
        for (int n : new int[] {5, 10, 30}) {
            for (int k = 1; k <= n; k++) {
                double expected = 0;
                for (int j = 1; n - j * k >= 0; j++) {
                    expected += (j % 2 == 1 ? 2 : -2) * Math.exp(logChoose(2 * n, n - j * k) - logChoose(2 * n, n));
                }
                double exact = KolmogorovSmirnov.exactPValue(n, n, (long) k * n);
                assertEquals(expected, exact, 1e-12 + 1e-9 * expected, "n " + n + " k " + k);
            }
        }
    }

    /** Unequal sizes: every one of the C(12, 5) = 792 interleavings of n = 5 and m = 7 values, counted. */
    @Test
    void exactPValueMatchesFullEnumeration() {
        int n = 5;
        int m = 7;
        int total = n + m;
        long[] countAtLeast = new long[n * m + 1];
        int paths = 0;
        for (int mask = 0; mask < (1 << total); mask++) {
            if (Integer.bitCount(mask) != n) {
                continue;
            }
            paths++;
            int i = 0;
            int j = 0;
            long d = 0;
            for (int b = 0; b < total; b++) {
                if ((mask & (1 << b)) != 0) {
                    i++;
                } else {
                    j++;
                }
                d = Math.max(d, Math.abs((long) i * m - (long) j * n));
            }
            for (int t = 0; t <= d; t++) {
                countAtLeast[t]++;
            }
        }
        assertEquals(792, paths);
        for (int t = 1; t <= n * m; t++) {
            assertEquals((double) countAtLeast[t] / paths, KolmogorovSmirnov.exactPValue(n, m, t), 1e-13, "D·n·m = " + t);
            assertEquals((double) countAtLeast[t] / paths, KolmogorovSmirnov.exactPValue(m, n, t), 1e-13, "swapped, D·n·m = " + t);
        }
    }

    /**
     * Q(λ) = 2 Σ (−1)^{j−1} exp(−2 j² λ²): Q(1/√2) = 2 (e^−1 − e^−4 + e^−9 − e^−16) = 0.6993742 (the
     * asymptotic p-value of the example, n_e = 2); the familiar critical values Q(1.3581) = 0.05 and
     * Q(1.6276) = 0.01; and both series agree where the implementation switches, at 1.18.
     */
    @Test
    void kolmogorovDistributionKnownAnswers() {
        assertEquals(2 * (Math.exp(-1) - Math.exp(-4) + Math.exp(-9) - Math.exp(-16)), KolmogorovSmirnov.kolmogorovQ(Math.sqrt(0.5)),
                3e-11, "the next term, 2 e^−25, is 2.8e-11");
        assertEquals(0.6993742, KolmogorovSmirnov.asymptoticPValue(4, 4, 0.5), 1e-7);
        assertEquals(0.05, KolmogorovSmirnov.kolmogorovQ(1.3581), 1e-4);
        assertEquals(0.01, KolmogorovSmirnov.kolmogorovQ(1.6276), 1e-4);
        assertEquals(1.0, KolmogorovSmirnov.kolmogorovQ(0.0));
        assertEquals(1.0, KolmogorovSmirnov.kolmogorovQ(0.1), 1e-15);
        for (double lambda : new double[] {0.3, 0.6, 1.0, 1.17, 1.19, 1.5}) {
            double alternating = 0;
            for (int j = 1; j < 200; j++) {
                alternating += (j % 2 == 1 ? 2 : -2) * Math.exp(-2.0 * j * j * lambda * lambda);
            }
            assertEquals(alternating, KolmogorovSmirnov.kolmogorovQ(lambda), 1e-12, "lambda " + lambda);
        }
    }

    /** For large samples the exact and the asymptotic p-values meet; small p-values keep their precision. */
    @Test
    void exactApproachesAsymptoticAndKeepsTinyPValues() {
        for (double d : new double[] {0.08, 0.1, 0.12}) {
            int n = 400;
            long scaled = Math.round(d * n * n);
            double exact = KolmogorovSmirnov.exactPValue(n, n, scaled);
            double asym = KolmogorovSmirnov.asymptoticPValue(n, n, (double) scaled / (n * n));
            assertTrue(Math.abs(exact - asym) < 0.15 * asym, "D " + d + ": exact " + exact + " asymptotic " + asym);
        }
        // D = 1 for n = m = 30: exactly 2 of C(60, 30) paths
        double tiny = KolmogorovSmirnov.exactPValue(30, 30, 900);
        assertEquals(2 * Math.exp(-logChoose(60, 30)), tiny, 1e-9 * tiny);
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(n - k + i) - Math.log(i);
        }
        return s;
    }
}
