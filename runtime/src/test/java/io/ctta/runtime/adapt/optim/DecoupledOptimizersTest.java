package io.ctta.runtime.adapt.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.memory.StepScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SGDW, S&amp;P and AdamW known answers (decoupled weight decay, as in the UPGD paper's streaming baselines; docs/strategies/sgd-adam.md). */
class DecoupledOptimizersTest extends RootManagerTest {

    private void step(ParameterOptimizer opt, NDArray w, float[] g) {
        try (StepScope step = new StepScope(root)) {
            opt.step(List.of("w"), List.of(w), List.of(step.manager().create(g, w.getShape())));
        }
    }

    @Test
    void sgdwShrinksThenSteps() {
        NDArray w = root.create(new float[] {1f, -2f});
        try (SgdW sgd = new SgdW(0.1f, 0.01f, 0f, 1)) {
            step(sgd, w, new float[] {0.5f, 0.25f});
            // (1 - 0.1 * 0.01) * [1, -2] - 0.1 * [0.5, 0.25]
            assertArrayEquals(new float[] {0.949f, -2.023f}, w.toFloatArray(), 1e-6f);
            assertEquals(1, sgd.stepCount());
        }
    }

    @Test
    void shrinkAndPerturbAddsSeededNoiseToTheGradient() {
        NDArray w = root.create(new float[] {1f, -2f, 0.5f});
        try (SgdW sp = new SgdW(0.1f, 0.5f, 0.2f, 99)) {
            step(sp, w, new float[] {0.5f, 0.25f, 0f});
            step(sp, w, new float[] {0.1f, 0.1f, 0.1f});
            float[] xi1 = GaussianNoise.sample(99, 1, 0, 3, 0.2);
            float[] xi2 = GaussianNoise.sample(99, 2, 0, 3, 0.2);
            double[] g1 = {0.5, 0.25, 0};
            double[] expected = {1, -2, 0.5};
            for (int k = 0; k < 3; k++) {
                expected[k] = 0.95 * expected[k] - 0.1 * (g1[k] + xi1[k]);
                expected[k] = 0.95 * expected[k] - 0.1 * (0.1 + xi2[k]);
            }
            assertArrayEquals(UpgdTest.toF(expected), w.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void adamwFirstStepIsSignTimesLrAfterTheShrink() {
        NDArray w = root.create(new float[] {1f, -2f});
        try (AdamW adam = new AdamW(root, Map.of("w", new Shape(2)), 0.1f, 0f, 0.9999f, 1e-8f, 0.1f)) {
            step(adam, w, new float[] {0.5f, 0.25f});
            // m-hat = g, v-hat = g^2: W = 0.99 W - 0.1 * g / (|g| + 1e-8)
            assertArrayEquals(new float[] {0.99f - 0.1f, -1.98f - 0.1f}, w.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void adamwMatchesAScalarReferenceOverThreeSteps() {
        float lr = 0.01f;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double wd = 0.5;
        double[][] gs = {{0.3, -0.2}, {-0.1, 0.4}, {0.2, 0.2}};
        double[] w = {0.7, -1.3};
        double[] m = new double[2];
        double[] v = new double[2];
        NDArray wd1 = root.create(UpgdTest.toF(w));
        try (AdamW adam = new AdamW(root, Map.of("w", new Shape(2)), lr, (float) b1, (float) b2, (float) eps, (float) wd)) {
            for (int t = 1; t <= 3; t++) {
                step(adam, wd1, UpgdTest.toF(gs[t - 1]));
                for (int k = 0; k < 2; k++) {
                    double g = gs[t - 1][k];
                    w[k] *= 1 - lr * wd;
                    m[k] = b1 * m[k] + (1 - b1) * g;
                    v[k] = b2 * v[k] + (1 - b2) * g * g;
                    double mh = m[k] / (1 - Math.pow(b1, t));
                    double vh = v[k] / (1 - Math.pow(b2, t));
                    w[k] -= lr * mh / (Math.sqrt(vh) + eps);
                }
                assertArrayEquals(UpgdTest.toF(w), wd1.toFloatArray(), 1e-6f, "step " + t);
            }
            assertEquals(2, adam.exportState().size()); // m and v of one parameter
        }
    }

    @Test
    void invalidHyperparametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SgdW(0f, 0f, 0f, 1));
        assertThrows(IllegalArgumentException.class, () -> new SgdW(0.1f, 10f, 0f, 1));
        assertThrows(IllegalArgumentException.class, () -> new SgdW(0.1f, 0f, -0.1f, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new AdamW(root, Map.of(), 0.1f, 1f, 0.9f, 1e-8f, 0f));
    }
}
