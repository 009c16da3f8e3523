package io.ctta.runtime.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.TestData;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ModelSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlasticityTest {

    @Test
    void singularValuesMatchClosedForms() {
        // diag(3, 1)
        assertArrayEquals(new double[] {3, 1}, SingularValues.of(new float[] {3, 0, 0, 1}, 2, 2), 1e-12);
        // [[1, 1], [0, 1]]: sigma^2 = (3 +- sqrt 5) / 2, i.e. the golden ratio and its inverse.
        double phi = (1 + Math.sqrt(5)) / 2;
        assertArrayEquals(new double[] {phi, 1 / phi}, SingularValues.of(new float[] {1, 1, 0, 1}, 2, 2), 1e-12);
        // A 3 x 2 matrix: eigenvalues of the 2 x 2 Gram matrix [[a, b], [b, d]] by hand.
        float[] m = {1, 2, 3, 4, 5, 6};
        double a = 1 + 9 + 25;
        double d = 4 + 16 + 36;
        double b = 2 + 12 + 30;
        double disc = Math.sqrt((a - d) * (a - d) + 4 * b * b);
        double[] expected = {Math.sqrt((a + d + disc) / 2), Math.sqrt((a + d - disc) / 2)};
        assertArrayEquals(expected, SingularValues.of(m, 3, 2), 1e-9);
        // Transposed (2 x 3) gives the same values.
        assertArrayEquals(expected, SingularValues.of(new float[] {1, 3, 5, 2, 4, 6}, 2, 3), 1e-9);
        // Rank one: u v^T has one singular value |u| |v|.
        double[] r1 = SingularValues.of(new float[] {2, 4, 1, 2, 3, 6}, 3, 2);
        assertEquals(Math.sqrt(4 + 1 + 9) * Math.sqrt(1 + 4), r1[0], 1e-9);
        assertEquals(0, r1[1], 1e-9);
    }

    @Test
    void singularValuesOfARandomMatrixPreserveTheFrobeniusNorm() {
        SplittableRandom r = new SplittableRandom(5);
        float[] m = new float[40 * 12];
        double fro = 0;
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) r.nextGaussian();
            fro += (double) m[i] * m[i];
        }
        double[] sv = SingularValues.of(m, 40, 12);
        double sum = 0;
        for (int i = 0; i < sv.length; i++) {
            sum += sv[i] * sv[i];
            if (i > 0) {
                assertTrue(sv[i] <= sv[i - 1]);
            }
        }
        assertEquals(fro, sum, 1e-9 * fro);
    }

    @Test
    void effectiveRankAndSrank() {
        assertEquals(4, Plasticity.effectiveRank(new double[] {2, 2, 2, 2}), 1e-12);
        assertEquals(1, Plasticity.effectiveRank(new double[] {5, 0, 0}), 1e-12);
        assertEquals(0, Plasticity.effectiveRank(new double[] {0, 0}), 0);
        // p = [0.75, 0.25]: exp(-(0.75 ln 0.75 + 0.25 ln 0.25)) = 1.754765
        assertEquals(1.754765, Plasticity.effectiveRank(new double[] {3, 1}), 1e-6);
        // Identity features: full rank.
        assertEquals(3, Plasticity.effectiveRank(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3), 1e-9);
        assertEquals(2, Plasticity.srank(new double[] {50, 49, 1}, 0.01));
        assertEquals(3, Plasticity.srank(new double[] {50, 48, 2}, 0.01));
        assertEquals(1, Plasticity.srank(new double[] {1, 0}, 0.01));
    }

    @Test
    void deadUnitsAreTheOnesNeverActive() {
        // 3 samples x 4 units: unit 1 never > 0, unit 3 only 0s; units 0 and 2 fire at least once.
        float[] a = {1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 2, 0};
        assertEquals(0.5, Plasticity.deadUnitFraction(a, 3, 4, 1), 0);
        // Conv layout 1 sample x 2 channels x 3 positions: channel 0 fires at one position.
        assertEquals(0.5, Plasticity.deadUnitFraction(new float[] {0, 0, 0.1f, 0, 0, 0}, 1, 2, 3), 0);
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(0.5, Plasticity.deadUnitFraction(m.create(a, new Shape(3, 4))), 0);
            assertEquals(0.5, Plasticity.deadUnitFraction(m.create(new float[] {0, 0, 0.1f, 0, 0, 0}, new Shape(1, 2, 3, 1))), 0);
        }
        assertThrows(IllegalArgumentException.class, () -> Plasticity.deadUnitFraction(a, 2, 4, 1));
    }

    @Test
    void samplePlasticityAndLosses() {
        assertEquals(0.75, Plasticity.samplePlasticity(2.0, 0.5), 1e-12);
        assertEquals(0, Plasticity.samplePlasticity(1.0, 1.5), 0);
        assertEquals(1, Plasticity.samplePlasticity(0.3, 0), 0);
        ModelOutput out = new ModelOutput(2, 2, new float[] {0.25f, 0.75f, 0.5f, 0.5f}, 0, StepOutcome.none());
        assertEquals((-Math.log(0.75) - Math.log(0.5)) / 2, Plasticity.meanCrossEntropy(out, new int[] {1, 0}), 1e-7);
        assertEquals(2, Plasticity.correct(out, new int[] {1, 0}));
    }

    @Test
    void taskAccuracyPerTaskFractionsAndForgetting() {
        TaskAccuracy t = new TaskAccuracy();
        for (int k = 0; k < 10; k++) {
            t.record("task-" + k, 10, k);
            t.record("task-" + k, 10, k); // two batches per task
        }
        assertEquals(10, t.tasks().size());
        assertEquals(0.3, t.tasks().get(3).accuracy(), 1e-12);
        assertEquals((0 + 0.1) / 2, t.meanAccuracy(0, 0.2), 1e-12);
        assertEquals((0.8 + 0.9) / 2, t.meanAccuracy(0.8, 1), 1e-12);
        assertEquals(-0.9, t.windowedForgetting(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> t.record("x", 1, 2));
    }

    @Test
    void forwardWithFeaturesGivesTheLogitsOfForwardAndProbesLeaveNoArrays() {
        InputBatch batch = TestData.batch(32, 4);
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 2)) {
            float[] logits;
            float[] viaFeatures;
            float[] features;
            try (StepScope step = m.newStep()) {
                logits = m.forward(step.manager(), batch, ForwardMode.EVAL).head().toFloatArray();
                NDList both = m.forwardWithFeatures(step.manager(), batch, ForwardMode.EVAL);
                assertEquals(new Shape(32, 64), both.get(0).getShape());
                assertEquals(new Shape(32, 10), both.get(1).getShape());
                viaFeatures = both.get(1).toFloatArray();
                features = both.get(0).toFloatArray();
            }
            assertArrayEquals(logits, viaFeatures, 1e-6f);
            for (float f : features) {
                assertTrue(f >= 0, "penultimate features are ReLU outputs");
            }
            long base = m.liveArrayCount();
            Plasticity.Probe p = Plasticity.probe(m, batch);
            assertEquals(base, m.liveArrayCount());
            assertEquals(64, p.featureDim());
            assertTrue(p.effectiveRank() >= 1 && p.effectiveRank() <= 32, "erank " + p.effectiveRank());
            assertTrue(p.srank() >= 1 && p.srank() <= 32);
            assertTrue(p.deadUnitFraction() >= 0 && p.deadUnitFraction() < 1);
            assertTrue(p.meanWeightMagnitude() > 0);
            assertEquals(Plasticity.effectiveRank(features, 32, 64), p.effectiveRank(), 1e-9);
            assertEquals(Plasticity.deadUnitFraction(features, 32, 64, 1), p.deadUnitFraction(), 0);
        }
    }
}
