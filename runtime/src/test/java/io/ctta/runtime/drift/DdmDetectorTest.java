package io.ctta.runtime.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DdmDetectorTest {

    private static final double EPS = 1e-12;

    /**
     * By hand: 30 inputs with 6 errors (p = 0.2, s = sqrt(0.2·0.8/30) = 0.0730297) set the
     * minimum; the thresholds are then p + 2s = 0.3460593 and p + 3s = 0.4190890. Further errors
     * give p + s = 0.3009016 (7/31), 0.3265466 (8/32): stable; 0.3502548 (9/33) up to 0.4119008
     * (12/36): warning; 0.4298342 (13/37) ≥ 0.4190890: drift on the seventh.
     */
    @Test
    void knownAnswerThresholds() {
        DdmDetector d = new DdmDetector();
        for (int i = 0; i < 30; i++) {
            assertEquals(DriftLevel.STABLE, d.update(i % 5 == 0 ? 1 : 0));
        }
        double s = Math.sqrt(0.2 * 0.8 / 30);
        assertEquals(0.2 + s, d.statistic(), EPS);
        assertEquals(0.2 + 3 * s, d.threshold(), EPS);
        assertEquals(0.2 + 2 * s, d.warningThreshold(), EPS);
        DriftLevel[] expected = {DriftLevel.STABLE, DriftLevel.STABLE, DriftLevel.WARNING, DriftLevel.WARNING,
            DriftLevel.WARNING, DriftLevel.WARNING, DriftLevel.DRIFT};
        assertEquals(0.4190890, d.threshold(), 1e-7);
        for (int k = 0; k < expected.length; k++) {
            int errors = 6 + k + 1;
            int n = 30 + k + 1;
            double p = (double) errors / n;
            double level = p + Math.sqrt(p * (1 - p) / n);
            assertEquals(expected[k], d.update(1), "after " + (k + 1) + " more errors, p + s = " + level);
            assertEquals(level, d.statistic(), EPS);
        }
        assertEquals(1, d.detections());
        // reset at the next update
        d.update(0);
        assertEquals(1, d.samples());
        assertEquals(Double.POSITIVE_INFINITY, d.threshold());
    }

    /** The guard we added (the paper has none): 30 error-free inputs must not make the first error a drift. */
    @Test
    void firstErrorAfterAnErrorFreeWarmUpIsNotADrift() {
        DdmDetector d = new DdmDetector();
        for (int i = 0; i < 30; i++) {
            d.update(0);
        }
        assertEquals(Double.POSITIVE_INFINITY, d.threshold(), "no minimum while s = 0");
        assertEquals(DriftLevel.STABLE, d.update(1));
        double p = 1.0 / 31;
        assertEquals(p + 3 * Math.sqrt(p * (1 - p) / 31), d.threshold(), EPS);
        for (int i = 0; i < 200; i++) {
            assertTrue(d.update(0) != DriftLevel.DRIFT);
        }
    }

    @Test
    void rejectsInputsOtherThanZeroOrOne() {
        DdmDetector d = new DdmDetector();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.update(0.5));
        assertEquals("ddm input must be 0 (right) or 1 (wrong), got 0.5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.update(Double.NaN));
    }

    /**
     * False alarms on stationary 0/1 errors (p = 0.2), 20 seeded streams of 100 000 inputs. DDM's
     * minimum p_min + s_min is taken over a history whose early estimates are noisy, so it does
     * raise false alarms. Measured: 10 in 2·10^6 (0.5 per 100 000); documented bound 1 per 100 000.
     */
    @Test
    void falseAlarmRateWithinDocumentedBound() {
        int n = 100_000;
        int seeds = 20;
        int alarms = 0;
        int warnings = 0;
        for (int seed = 0; seed < seeds; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            DdmDetector d = new DdmDetector();
            for (int i = 0; i < n; i++) {
                DriftLevel l = d.update(Streams.bernoulli(r, 0.2));
                if (l == DriftLevel.DRIFT) {
                    alarms++;
                } else if (l == DriftLevel.WARNING) {
                    warnings++;
                }
            }
        }
        assertTrue(alarms <= 1.0 * seeds * n / 100_000, alarms + " false alarms");
        assertTrue(warnings > alarms, "warnings are more frequent than drifts: " + warnings);
    }

    /**
     * Delay after the error rate jumps from 0.2 to 0.5 at input 5 000. DDM has no published delay
     * bound; {@link #delayBound} is the 3σ expected-path bound from the state at the change (n0
     * inputs with e0 errors since the last reset, threshold p_min + 3 s_min): the smallest k with
     * (e0 + k p1 − 3 sqrt(k p1 (1 − p1)))/(n0 + k) + s ≥ threshold. It assumes the minimum does not
     * move after the change, which needs the error rate to fall. Measured over 30 seeds: 18 to
     * 2 195 inputs (bounds 212 to 2 551), the long ones when a minimum was set early on a low noisy estimate.
     */
    @Test
    void detectionDelayWithinExpectedPathBound() {
        for (int seed = 0; seed < 30; seed++) {
            SplittableRandom r = new SplittableRandom(1000 + seed);
            DdmDetector d = new DdmDetector();
            for (int i = 0; i < 5000; i++) {
                d.update(Streams.bernoulli(r, 0.2));
            }
            if (d.level() == DriftLevel.DRIFT) {
                d.update(Streams.bernoulli(r, 0.2));
            }
            int bound = delayBound(d, 0.5);
            int delay = Streams.inputsUntilDrift(100_000, () -> d.update(Streams.bernoulli(r, 0.5)));
            assertTrue(delay > 0 && delay <= bound, "seed " + seed + ": delay " + delay + " > bound " + bound);
        }
    }

    static int delayBound(DdmDetector d, double p1) {
        double n0 = d.samples();
        double e0 = d.errorRate() * n0;
        double threshold = d.threshold();
        for (int k = 1; k < 10_000_000; k++) {
            double n = n0 + k;
            double p = (e0 + k * p1 - 3 * Math.sqrt(k * p1 * (1 - p1))) / n;
            if (p > 0 && n >= d.settings().minSamples() && p + Math.sqrt(p * (1 - p) / n) >= threshold) {
                return k;
            }
        }
        throw new AssertionError("no bound");
    }
}
