package io.ctta.runtime.adapt.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.memory.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Known answers of UPGD (Elsayed and Mahmood, ICLR 2024, Algorithm 1) and of the choices where the
 * paper and its reference code differ (docs/strategies/upgd.md), on small hand-made tensors.
 */
class UpgdTest extends RootManagerTest {

    private static Upgd.Options opts(float lr, float wd, float beta, float sigma, Upgd.Scaling scaling, Upgd.Form form,
            Upgd.UtilityMax max) {
        return new Upgd.Options(lr, wd, beta, sigma, scaling, form, max, 42L);
    }

    private static Upgd.Options plain(float lr, float beta, Upgd.UtilityMax max) {
        return opts(lr, 0f, beta, 0f, Upgd.Scaling.GLOBAL, Upgd.Form.PROTECTING, max);
    }

    /** Tensors by name, with shapes; weights live in {@code root} like model parameters. */
    private final class Params {
        final List<String> names = new ArrayList<>();
        final List<NDArray> weights = new ArrayList<>();
        final Map<String, Shape> shapes = new LinkedHashMap<>();

        Params add(String name, float[] values, long... shape) {
            names.add(name);
            weights.add(root.create(values, new Shape(shape)));
            shapes.put(name, new Shape(shape));
            return this;
        }

        void step(ParameterOptimizer opt, float[]... grads) {
            try (StepScope step = new StepScope(root)) {
                List<NDArray> g = new ArrayList<>();
                for (int i = 0; i < grads.length; i++) {
                    g.add(step.manager().create(grads[i], weights.get(i).getShape()));
                }
                opt.step(names, weights, g);
            }
        }

        float[] get(int i) {
            return weights.get(i).toFloatArray();
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void workedExampleOfTheDocWithBetaZero() {
        for (Upgd.UtilityMax max : Upgd.UtilityMax.values()) {
            Params p = new Params().add("w", new float[] {1f, -2f}, 2);
            try (Upgd upgd = new Upgd(root, p.shapes, plain(0.1f, 0f, max))) {
                p.step(upgd, new float[] {0.5f, 0.25f});
                assertArrayEquals(new float[] {0.963447f, -2.006724f}, p.get(0), 1e-6f, max.name());
                assertEquals(0.5f, upgd.lastEta(), 1e-7f);
                assertEquals(1, upgd.stepCount());
            }
        }
    }

    @Test
    void paperAndCodeMaximaDifferEarlyWithBetaPointNine() {
        Params paper = new Params().add("w", new float[] {1f, -2f}, 2);
        Params code = new Params().add("w", new float[] {1f, -2f}, 2);
        try (Upgd a = new Upgd(root, paper.shapes, plain(0.1f, 0.9f, Upgd.UtilityMax.BIAS_CORRECTED));
                Upgd b = new Upgd(root, code.shapes, plain(0.1f, 0.9f, Upgd.UtilityMax.RAW_TRACE))) {
            paper.step(a, new float[] {0.5f, 0.25f});
            code.step(b, new float[] {0.5f, 0.25f});
            // Paper: the same gates as with beta = 0, U-bar = [0.268941, 0.731059].
            assertArrayEquals(new float[] {0.963447f, -2.006724f}, paper.get(0), 1e-6f);
            // Code: eta = max of the raw trace = 0.05, U-hat / eta = [-10, 10], U-bar = [4.54e-5, 0.9999546].
            assertEquals(0.05f, b.lastEta(), 1e-7f);
            double g0 = 1 - sigmoid(-10);
            double g1 = 1 - sigmoid(10);
            assertEquals(4.54e-5, sigmoid(-10), 1e-7);
            assertArrayEquals(new float[] {(float) (1 - 0.1 * 0.5 * g0), (float) (-2 - 0.1 * 0.25 * g1)}, code.get(0), 1e-6f);
            assertEquals(0.95000227f, code.get(0)[0], 1e-6f);
        }
    }

    @Test
    void traceBiasCorrectionAndGlobalMaximumOverTwoTensorsAndTwoSteps() {
        float beta = 0.9f;
        float lr = 0.05f;
        float wd = 0.2f;
        double[] w1 = {0.5, -1.0, 2.0};
        double[] w2 = {0.25, 3.0};
        double[][] g1s = {{0.2, 0.4, -0.1}, {-0.3, 0.1, 0.05}};
        double[][] g2s = {{1.0, -0.2}, {0.5, 0.3}};
        Params p = new Params().add("a", toF(w1), 3).add("b", toF(w2), 2);
        double[] tr1 = new double[3];
        double[] tr2 = new double[2];
        try (Upgd upgd = new Upgd(root, p.shapes, opts(lr, wd, beta, 0f, Upgd.Scaling.GLOBAL, Upgd.Form.PROTECTING,
                Upgd.UtilityMax.BIAS_CORRECTED))) {
            for (int t = 1; t <= 2; t++) {
                double[] g1 = g1s[t - 1];
                double[] g2 = g2s[t - 1];
                p.step(upgd, toF(g1), toF(g2));
                // Independent scalar reference of the per-step update (docs/strategies/upgd.md, steps 1-7).
                double bc = 1 - Math.pow(beta, t);
                double eta = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < 3; k++) {
                    tr1[k] = beta * tr1[k] + (1 - beta) * (-g1[k] * w1[k]);
                    eta = Math.max(eta, tr1[k] / bc);
                }
                for (int k = 0; k < 2; k++) {
                    tr2[k] = beta * tr2[k] + (1 - beta) * (-g2[k] * w2[k]);
                    eta = Math.max(eta, tr2[k] / bc);
                }
                for (int k = 0; k < 3; k++) {
                    w1[k] = (1 - lr * wd) * w1[k] - lr * g1[k] * (1 - sigmoid(tr1[k] / bc / eta));
                }
                for (int k = 0; k < 2; k++) {
                    w2[k] = (1 - lr * wd) * w2[k] - lr * g2[k] * (1 - sigmoid(tr2[k] / bc / eta));
                }
                assertEquals(eta, upgd.lastEta(), 1e-6, "eta at step " + t);
                assertArrayEquals(toF(w1), p.get(0), 1e-6f, "a at step " + t);
                assertArrayEquals(toF(w2), p.get(1), 1e-6f, "b at step " + t);
                if (t == 1) {
                    // By hand: u_a = [-0.1, 0.4, 0.2], u_b = [-0.25, 0.6]; trace = 0.1 u, bias correction
                    // 0.1, so U-hat = u and the global maximum 0.6 comes from the other tensor.
                    assertEquals(0.6f, upgd.lastEta(), 1e-6f);
                    // a[1] = 0.99 * -1 - 0.05 * 0.4 * (1 - sigmoid(0.4 / 0.6)) = -0.99 - 0.02 * 0.339244
                    assertEquals(-0.996785f, p.get(0)[1], 1e-6f);
                }
            }
            // The traces themselves are exported uncorrected.
            Map<String, StrategyState.Tensor> st = upgd.exportState();
            assertArrayEquals(toF(tr1), st.get("upgd.utility/a").data(), 1e-7f);
            assertArrayEquals(toF(tr2), st.get("upgd.utility/b").data(), 1e-7f);
        }
    }

    @Test
    void seededNoiseIsGatedAsThePaperSays() {
        float lr = 0.1f;
        float sigma = 0.3f;
        double[] w0 = {1.0, -2.0, 0.5};
        double[] g = {0.5, 0.25, -1.0};
        for (Upgd.Form form : Upgd.Form.values()) {
            Params p = new Params().add("w", toF(w0), 3);
            try (Upgd upgd = new Upgd(root, p.shapes, opts(lr, 0f, 0f, sigma, Upgd.Scaling.GLOBAL, form,
                    Upgd.UtilityMax.BIAS_CORRECTED))) {
                p.step(upgd, toF(g));
                float[] xi = GaussianNoise.sample(42L, 1, 0, 3, sigma);
                // u = [-0.5, 0.5, 0.5], eta = 0.5, gates 1 - sigmoid(u / eta).
                double[] u = {-0.5, 0.5, 0.5};
                float[] expected = new float[3];
                for (int k = 0; k < 3; k++) {
                    double gate = 1 - sigmoid(u[k] / 0.5);
                    double step = form == Upgd.Form.PROTECTING ? (g[k] + xi[k]) * gate : g[k] + xi[k] * gate;
                    expected[k] = (float) (w0[k] - lr * step);
                }
                assertArrayEquals(expected, p.get(0), 1e-6f, form.name());
            }
        }
    }

    @Test
    void noiseIsDeterministicFreshPerStepAndTensorAndHasTheRightScale() {
        float[] a = GaussianNoise.sample(7, 1, 0, 100_000, 0.1);
        assertArrayEquals(a, GaussianNoise.sample(7, 1, 0, 100_000, 0.1), 0f);
        assertFalse(Arrays.equals(a, GaussianNoise.sample(7, 2, 0, 100_000, 0.1)));
        assertFalse(Arrays.equals(a, GaussianNoise.sample(7, 1, 1, 100_000, 0.1)));
        assertFalse(Arrays.equals(a, GaussianNoise.sample(8, 1, 0, 100_000, 0.1)));
        double mean = 0;
        double sq = 0;
        for (float x : a) {
            mean += x;
            sq += (double) x * x;
        }
        mean /= a.length;
        double std = Math.sqrt(sq / a.length - mean * mean);
        assertEquals(0, mean, 0.002); // 5 standard errors of 0.1/sqrt(1e5)
        assertEquals(0.1, std, 0.002);
    }

    @Test
    void seedsRoundTripThroughStateTensors() {
        for (long seed : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x1234_5678_9ABC_DEF0L}) {
            assertEquals(seed, GaussianNoise.seedOf(GaussianNoise.seedTensor(seed)));
        }
        assertThrows(IllegalArgumentException.class,
                () -> GaussianNoise.seedOf(new StrategyState.Tensor(new long[] {4}, new float[] {0.5f, 0, 0, 0})));
    }

    @Test
    void localScalingNormalisesEachRow() {
        double[][] w = {{1, 2}, {3, -1}};
        double[][] g = {{0.5, -0.5}, {0.1, 0.2}};
        Params p = new Params().add("m", new float[] {1, 2, 3, -1}, 2, 2).add("b", new float[] {0.5f, -0.5f}, 2);
        double[] gb = {1.0, 1.0};
        try (Upgd upgd = new Upgd(root, p.shapes, opts(0.1f, 0f, 0f, 0f, Upgd.Scaling.LOCAL, Upgd.Form.PROTECTING,
                Upgd.UtilityMax.BIAS_CORRECTED))) {
            p.step(upgd, new float[] {0.5f, -0.5f, 0.1f, 0.2f}, toF(gb));
            float[] expected = new float[4];
            for (int r = 0; r < 2; r++) {
                double[] u = {-g[r][0] * w[r][0], -g[r][1] * w[r][1]};
                double norm = Math.hypot(u[0], u[1]);
                for (int c = 0; c < 2; c++) {
                    expected[r * 2 + c] = (float) (w[r][c] - 0.1 * g[r][c] * (1 - sigmoid(u[c] / norm)));
                }
            }
            assertArrayEquals(expected, p.get(0), 1e-6f);
            // Row 0 by hand: u = [-0.5, 1.0], norm 1.118034, u / norm = [-0.447214, 0.894427],
            // gates 1 - sigmoid(.) = [0.609979, 0.290200].
            assertEquals(1 - 0.1 * 0.5 * 0.609979, p.get(0)[0], 1e-6);
            assertEquals(2 - 0.1 * -0.5 * 0.290200, p.get(0)[1], 1e-6);
            // A bias is one row: u = [-0.5, 0.5], norm 0.707107, gates 1 - sigmoid(-/+0.707107).
            double gate0 = 1 - sigmoid(-0.5 / Math.sqrt(0.5));
            double gate1 = 1 - sigmoid(0.5 / Math.sqrt(0.5));
            assertArrayEquals(new float[] {(float) (0.5 - 0.1 * gate0), (float) (-0.5 - 0.1 * gate1)}, p.get(1), 1e-6f);
            assertTrue(Float.isNaN(upgd.lastEta()));
        }
    }

    @Test
    void nonPositiveMaximumIsGuardedAndMakesEveryWeightPlastic() {
        Params p = new Params().add("w", new float[] {1f, 1f}, 2);
        try (Upgd upgd = new Upgd(root, p.shapes, plain(0.1f, 0f, Upgd.UtilityMax.BIAS_CORRECTED))) {
            p.step(upgd, new float[] {1f, 2f}); // u = [-1, -2] <= 0 everywhere
            assertEquals(1, upgd.etaGuardCount());
            assertEquals(Upgd.ETA_FLOOR, upgd.lastEta(), 0f);
            assertArrayEquals(new float[] {0.9f, 0.8f}, p.get(0), 1e-7f); // gate 1: plain SGD
        }
    }

    @Test
    void weightDecayIsDecoupledAndNoiseFreeNoGateIsSgdw() {
        // Non-protecting, sigma 0: the update is SGDW, whatever the utilities.
        Params p = new Params().add("w", new float[] {1f, -2f}, 2);
        try (Upgd upgd = new Upgd(root, p.shapes, opts(0.1f, 0.5f, 0.999f, 0f, Upgd.Scaling.GLOBAL,
                Upgd.Form.NON_PROTECTING, Upgd.UtilityMax.BIAS_CORRECTED))) {
            p.step(upgd, new float[] {0.5f, 0.25f});
            assertArrayEquals(new float[] {0.95f - 0.05f, -1.9f - 0.025f}, p.get(0), 1e-6f);
        }
    }

    @Test
    void exportedStateAndStepCountReplayTheSameUpdatesIncludingNoise() {
        Upgd.Options o = opts(0.05f, 0.01f, 0.9f, 0.2f, Upgd.Scaling.GLOBAL, Upgd.Form.PROTECTING,
                Upgd.UtilityMax.BIAS_CORRECTED);
        Upgd.Options otherSeed = new Upgd.Options(o.lr(), o.weightDecay(), o.betaUtility(), o.sigma(), o.scaling(),
                o.form(), o.utilityMax(), -123456789012345L);
        Params a = new Params().add("w", new float[] {1f, -2f, 3f}, 3);
        Params b = new Params().add("w", new float[] {9f, 9f, 9f}, 3);
        // b was built with another seed: the exported state carries a's noise seed.
        try (Upgd ua = new Upgd(root, a.shapes, o); Upgd ub = new Upgd(root, b.shapes, otherSeed)) {
            a.step(ua, new float[] {0.1f, 0.2f, -0.3f});
            a.step(ua, new float[] {0.3f, -0.1f, 0.2f});
            ub.importState(ua.exportState(), ua.stepCount());
            io.ctta.runtime.memory.InPlace.write(b.weights.get(0), a.get(0));
            a.step(ua, new float[] {-0.2f, 0.4f, 0.1f});
            b.step(ub, new float[] {-0.2f, 0.4f, 0.1f});
            assertArrayEquals(a.get(0), b.get(0), 0f);
            ub.reset(); // back to its own seed: the same step now draws other noise
            ub.importState(Map.of("upgd.utility/w", ua.exportState().get("upgd.utility/w")), ua.stepCount() - 1);
            io.ctta.runtime.memory.InPlace.write(b.weights.get(0), a.get(0));
            Params c = new Params().add("w", a.get(0), 3);
            try (Upgd uc = new Upgd(root, c.shapes, o)) {
                uc.importState(ua.exportState(), ua.stepCount() - 1);
                b.step(ub, new float[] {-0.2f, 0.4f, 0.1f});
                c.step(uc, new float[] {-0.2f, 0.4f, 0.1f});
                assertFalse(Arrays.equals(b.get(0), c.get(0)));
            }
            ua.reset();
            assertEquals(0, ua.stepCount());
            assertArrayEquals(new float[3], ua.exportState().get("upgd.utility/w").data(), 0f);
        }
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> plain(0f, 0.9f, Upgd.UtilityMax.BIAS_CORRECTED));
        assertThrows(IllegalArgumentException.class, () -> plain(0.1f, 1f, Upgd.UtilityMax.BIAS_CORRECTED));
        assertThrows(IllegalArgumentException.class, () -> opts(0.1f, 0f, 0.9f, -1f, Upgd.Scaling.GLOBAL,
                Upgd.Form.PROTECTING, Upgd.UtilityMax.BIAS_CORRECTED));
        assertThrows(IllegalArgumentException.class, () -> opts(0.1f, 10f, 0.9f, 0f, Upgd.Scaling.GLOBAL,
                Upgd.Form.PROTECTING, Upgd.UtilityMax.BIAS_CORRECTED));
        Upgd.Options d = Upgd.Options.defaults(1);
        assertEquals(0.01f, d.lr());
        assertEquals(0.999f, d.betaUtility());
        assertEquals(0.001f, d.sigma());
        assertEquals(0.001f, d.weightDecay());
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        Params p = new Params().add("w", new float[] {1f, -2f, 3f, 4f}, 2, 2).add("b", new float[] {0f, 1f}, 2);
        try (Upgd upgd = new Upgd(root, p.shapes, Upgd.Options.defaults(3))) {
            p.step(upgd, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new float[] {0.5f, 0.6f});
            long base = root.getManagedArrays().size();
            for (int i = 0; i < 200; i++) {
                p.step(upgd, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new float[] {0.5f, 0.6f});
            }
            assertEquals(base, root.getManagedArrays().size());
        }
    }

    static float[] toF(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
