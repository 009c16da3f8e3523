package io.ctta.runtime.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KsDriftDetectorTest {

    private static final double[][] REFERENCE = {{1, 1}, {2, 2}, {3, 3}, {4, 4}};

    /**
     * Two dimensions, reference rows (1,1) … (4,4). A window whose both dimensions moved to 5..8
     * has D = 1 in each, exact p = 2/70 each (see KolmogorovSmirnovTest). Bonferroni:
     * 2 · 2/70 = 0.0571 ≥ 0.05, no drift; Benjamini–Hochberg: min(2 · (2/70)/1, 2 · (2/70)/2) = 2/70
     * &lt; 0.05, drift. With one dimension at 3..6 instead (p = 54/70) both corrections give 4/70.
     */
    @Test
    void correctionsKnownAnswers() {
        KsDriftDetector bonferroni = detector(KsSettings.Correction.BONFERRONI, KsSettings.Method.EXACT);
        assertEquals(DriftLevel.STABLE, feed(bonferroni, new double[][] {{5, 5}, {6, 6}, {7, 7}, {8, 8}}));
        assertEquals(4.0 / 70, bonferroni.pValue(), 1e-15);
        assertEquals(-Math.log10(4.0 / 70), bonferroni.statistic(), 1e-12);
        assertEquals(-Math.log10(0.05), bonferroni.threshold(), 1e-15);
        assertArrayEquals(new double[] {1, 1}, bonferroni.distances());

        KsDriftDetector fdr = detector(KsSettings.Correction.FDR, KsSettings.Method.EXACT);
        assertEquals(DriftLevel.DRIFT, feed(fdr, new double[][] {{5, 5}, {6, 6}, {7, 7}, {8, 8}}));
        assertEquals(2.0 / 70, fdr.pValue(), 1e-15);
        assertTrue(fdr.statistic() > fdr.threshold());

        KsDriftDetector mixed = detector(KsSettings.Correction.FDR, KsSettings.Method.EXACT);
        assertEquals(DriftLevel.STABLE, feed(mixed, new double[][] {{5, 3}, {6, 4}, {7, 5}, {8, 6}}));
        assertEquals(4.0 / 70, mixed.pValue(), 1e-15);
        assertArrayEquals(new double[] {1, 0.5}, mixed.distances());

        // asymptotic: Q(√2 · 1) = 2 (e^−4 − e^−16 + …) = 0.0366313 per dimension, × 2 with Bonferroni
        KsDriftDetector asym = detector(KsSettings.Correction.BONFERRONI, KsSettings.Method.ASYMPTOTIC);
        feed(asym, new double[][] {{5, 5}, {6, 6}, {7, 7}, {8, 8}});
        assertEquals(2 * 2 * (Math.exp(-4) - Math.exp(-16) + Math.exp(-36)), asym.pValue(), 1e-12);
    }

    private static KsDriftDetector detector(KsSettings.Correction c, KsSettings.Method m) {
        KsDriftDetector d = new KsDriftDetector(new KsSettings(0.05, c, 4, 4, m, 1));
        d.setReference(REFERENCE);
        assertTrue(d.testing());
        return d;
    }

    private static DriftLevel feed(MultivariateDriftDetector d, double[][] rows) {
        DriftLevel last = null;
        for (double[] row : rows) {
            last = d.update(row);
        }
        return last;
    }

    @Test
    void collectsAReferenceThenTestsTumblingWindows() {
        KsDriftDetector d = new KsDriftDetector(new KsSettings(0.05, KsSettings.Correction.BONFERRONI, 50, 20, KsSettings.Method.EXACT, 2));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 50; i++) {
            assertFalse(d.testing());
            assertEquals(DriftLevel.STABLE, d.update(Streams.gaussianVector(r, 3, 0)));
        }
        assertTrue(d.testing());
        assertEquals(3, d.dimension());
        for (int i = 0; i < 19; i++) {
            d.update(Streams.gaussianVector(r, 3, 0));
        }
        assertEquals(0, d.testsRun());
        d.update(Streams.gaussianVector(r, 3, 0));
        assertEquals(1, d.testsRun());
        // a large shift: the first rejected window is a warning (consecutive = 2), the second a drift
        DriftLevel first = feed(d, shifted(r, 20, 5));
        assertEquals(DriftLevel.WARNING, first);
        assertEquals(DriftLevel.WARNING, d.update(Streams.gaussianVector(r, 3, 5)), "warning holds until the next test");
        assertEquals(DriftLevel.DRIFT, feed(d, shifted(r, 19, 5)));
        assertEquals(1, d.detections());
        assertEquals(50 + 20 + 20 + 20, d.samples());
        // after a drift a new reference is collected from the stream
        d.update(Streams.gaussianVector(r, 3, 5));
        assertFalse(d.testing());
        assertEquals(1, d.samples());
        assertEquals(1, d.referenceCount());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.update(new double[] {1, 2}));
        assertEquals("ks expects vectors of length 3, got 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.update(new double[] {1, Double.NaN, 2}));
        assertThrows(IllegalArgumentException.class, () -> d.setReference(new double[][] {{1, 2, 3}, {1, 2}}));
    }

    private static double[][] shifted(SplittableRandom r, int count, double shift) {
        double[][] rows = new double[count][];
        for (int i = 0; i < count; i++) {
            rows[i] = Streams.gaussianVector(r, 3, shift);
        }
        return rows;
    }

    /**
     * Under no change each window's corrected test has level at most α (Bonferroni bounds the
     * family-wise error; the exact test is conservative), so over T tests the expected number of
     * false alarms is at most T·α; the assertion allows the binomial 3σ margin. 20 seeded streams of
     * 8-dimensional standard normals, 5 500 vectors each. Measured: Bonferroni 30 in 854 tests
     * (3.5 %), FDR the same.
     */
    @Test
    void falseAlarmsWithinAlpha() {
        for (KsSettings.Correction c : KsSettings.Correction.values()) {
            KsSettings s = new KsSettings(0.05, c, 500, 100, KsSettings.Method.EXACT, 1);
            int alarms = 0;
            long tests = 0;
            for (int seed = 0; seed < 20; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                KsDriftDetector d = new KsDriftDetector(s);
                for (int i = 0; i < 5500; i++) {
                    if (d.update(Streams.gaussianVector(r, 8, 0)) == DriftLevel.DRIFT) {
                        alarms++;
                    }
                }
                tests += d.testsRun();
            }
            double bound = Streams.upper3Sigma(tests * s.pValue());
            assertTrue(alarms <= bound, c + ": " + alarms + " false alarms in " + tests + " tests > " + bound);
        }
    }

    /**
     * A shift of one standard deviation in one of 8 dimensions, starting at a random point after
     * the reference is complete: the first window made only of changed inputs rejects (power ≈ 1:
     * E[D] ≈ 0.38 against a critical D of about 0.17 at α/8 for n = 500, m = 100), so the delay is
     * at most 2 · window − 1 = 199 inputs. Measured over 20 seeds: 18 to 140 inputs.
     */
    @Test
    void detectionDelayWithinTwoWindows() {
        KsSettings s = KsSettings.defaults();
        for (int seed = 0; seed < 20; seed++) {
            SplittableRandom r = new SplittableRandom(100 + seed);
            OptionalInt shifted = Streams.delayAfterMeanShift(new KsDriftDetector(s), r, 8, s.referenceSize(), s.windowSize());
            if (shifted.isEmpty()) {
                continue; // a false alarm replaced the reference: the bound's premise does not hold
            }
            int delay = shifted.getAsInt();
            assertTrue(delay > 0 && delay <= 2 * s.windowSize() - 1, "seed " + seed + ": delay " + delay);
        }
    }
}
