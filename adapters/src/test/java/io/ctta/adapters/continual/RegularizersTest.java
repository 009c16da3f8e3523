package io.ctta.adapters.continual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.memory.StepScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Known answers of the spectral and Wasserstein regularizers (Lewandowski et al., "Learning
 * Continually by Spectral Regularization"; docs/strategies/spectral.md), with gradients from the
 * engine's autograd.
 */
class RegularizersTest {

    private static final GradientGate GATE = GradientGate.create();
    private NDManager root;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        root.close();
    }

    private NDArray param(float[] values, long... shape) {
        NDArray a = root.create(values, new Shape(shape));
        a.setRequiresGradient(true);
        return a;
    }

    private SpectralRegularizer spectral(List<NDArray> ws, List<SpectralRegularizer.Role> roles, double rho, double k) {
        List<String> names = new java.util.ArrayList<>();
        List<Shape> shapes = new java.util.ArrayList<>();
        for (int i = 0; i < ws.size(); i++) {
            names.add("p" + i);
            shapes.add(ws.get(i).getShape());
        }
        return new SpectralRegularizer(root, names, shapes, roles, new SpectralSettings(rho, k, true, true), 5);
    }

    /** The penalty value, and the gradients of {@code ws} it produces. */
    private float penalty(Regularizer r, List<NDArray> ws, float[][] gradsOut) {
        StepScope step = new StepScope(root);
        try {
            float value;
            try (GradientGate.Session s = GATE.open()) {
                NDArray p = r.penalty(ws);
                value = p.getFloat();
                s.backward(p);
            }
            for (int i = 0; i < ws.size(); i++) {
                NDArray g = ws.get(i).getGradient();
                if (gradsOut != null) {
                    gradsOut[i] = g.toFloatArray();
                }
                g.subi(g);
            }
            return value;
        } finally {
            step.close();
        }
    }

    private static void setU(SpectralRegularizer r, String name, float... u) {
        r.importState(Map.of("spectral.u/" + name, new StrategyState.Tensor(new long[] {u.length}, u)));
    }

    @Test
    void powerIterationKnownAnswersOnDiag31() {
        NDArray w = param(new float[] {3, 0, 0, 1}, 2, 2);
        try (SpectralRegularizer r = spectral(List.of(w), List.of(SpectralRegularizer.Role.MATRIX), 1, 2)) {
            float s = (float) (1 / Math.sqrt(2));
            setU(r, "p0", s, s);
            float[] expected = {2.863564f, 2.998173f, 2.999977f};
            for (float e : expected) {
                penalty(r, List.of(w), null);
                assertEquals(e, r.lastSigmas().get("p0"), 2e-6f);
            }
            for (int i = 0; i < 20; i++) {
                penalty(r, List.of(w), null);
            }
            // At convergence with k = 2: R = (9 - 1)^2 = 64, gradient 96 at W[0,0] and 0 elsewhere.
            float[][] g = new float[1][];
            assertEquals(64f, penalty(r, List.of(w), g), 1e-3f);
            assertArrayEquals(new float[] {96, 0, 0, 0}, g[0], 1e-3f);
        }
    }

    @Test
    void powerIterationConvergesToTheExactLargestSingularValue() {
        // [[1, 2], [3, 4], [5, 6]]: sigma_max^2 is the larger eigenvalue of the Gram matrix
        // [[35, 44], [44, 56]]: (91 + sqrt(21^2 + 4 * 44^2)) / 2.
        double exact = Math.sqrt((91 + Math.sqrt(21 * 21 + 4 * 44 * 44)) / 2);
        assertEquals(9.525518, exact, 1e-6);
        NDArray w = param(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        // The same values as a conv kernel out=2 x in=1 x 1 x 3 is the transposed 2 x 3 matrix.
        NDArray conv = param(new float[] {1, 3, 5, 2, 4, 6}, 2, 1, 1, 3);
        try (SpectralRegularizer r = spectral(List.of(w, conv),
                List.of(SpectralRegularizer.Role.MATRIX, SpectralRegularizer.Role.MATRIX), 1, 1)) {
            for (int i = 0; i < 30; i++) {
                penalty(r, List.of(w, conv), null);
            }
            assertEquals(exact, r.lastSigmas().get("p0"), 1e-4);
            assertEquals(exact, r.lastSigmas().get("p1"), 1e-4);
            // k = 1: R = (sigma - 1)^2 per matrix, gradient 2 (sigma - 1) u v^T with ||u v^T||_F = 1.
            float[][] g = new float[2][];
            float value = penalty(r, List.of(w, conv), g);
            assertEquals(2 * Math.pow(exact - 1, 2), value, 1e-3);
            double fro = 0;
            for (float x : g[0]) {
                fro += x * x;
            }
            assertEquals(2 * (exact - 1), Math.sqrt(fro), 1e-3);
        }
    }

    @Test
    void biasAndScaleTerms() {
        NDArray b = param(new float[] {1, 2}, 2);
        NDArray gamma = param(new float[] {0.5f, -2f}, 2);
        try (SpectralRegularizer r = spectral(List.of(b, gamma),
                List.of(SpectralRegularizer.Role.BIAS, SpectralRegularizer.Role.SCALE), 0.5, 2)) {
            float[][] g = new float[2][];
            // 0.5 * [(1 + 4)^2 + (max|gamma|^2 - 1)^2] = 0.5 * (25 + 9)
            assertEquals(17f, penalty(r, List.of(b, gamma), g), 1e-5f);
            // d/db (sum b^2)^2 = 2 * 5 * 2b = [20, 40]; times 0.5.
            assertArrayEquals(new float[] {10, 20}, g[0], 1e-4f);
            // d/dgamma_1 (gamma_1^2 - 1)^2 = 2 * 3 * 2 * gamma_1 = -24; only the arg-max moves; times 0.5.
            assertArrayEquals(new float[] {0, -12}, g[1], 1e-4f);
        }
        try (SpectralRegularizer off = new SpectralRegularizer(root, List.of("b"), List.of(new Shape(2)),
                List.of(SpectralRegularizer.Role.BIAS), new SpectralSettings(1, 2, false, true), 1)) {
            assertNull(off.penalty(List.of(b)));
        }
    }

    @Test
    void stateRoundTripsAndResetReturnsTheSeededVectors() {
        NDArray w = param(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        try (SpectralRegularizer r = spectral(List.of(w), List.of(SpectralRegularizer.Role.MATRIX), 1, 2);
                SpectralRegularizer same = spectral(List.of(w), List.of(SpectralRegularizer.Role.MATRIX), 1, 2)) {
            Map<String, StrategyState.Tensor> start = r.exportState();
            assertArrayEquals(start.get("spectral.u/p0").data(), same.exportState().get("spectral.u/p0").data(), 0f);
            float[] u = start.get("spectral.u/p0").data();
            double norm = 0;
            for (float x : u) {
                norm += x * x;
            }
            assertEquals(1, norm, 1e-6);
            penalty(r, List.of(w), null);
            Map<String, StrategyState.Tensor> after = r.exportState();
            same.importState(after);
            assertEquals(penalty(r, List.of(w), null), penalty(same, List.of(w), null), 0f);
            r.reset();
            assertArrayEquals(u, r.exportState().get("spectral.u/p0").data(), 0f);
            assertThrows(IllegalArgumentException.class, () -> r.importState(Map.of()));
        }
    }

    @Test
    void wassersteinKnownAnswer() {
        NDArray theta = param(new float[] {3, 1, 2}, 3);
        try (WassersteinRegularizer r = new WassersteinRegularizer(root, List.of("t"),
                List.of(new float[] {0.5f, -1f, 0f}), new WassersteinSettings(1))) {
            float[][] g = new float[1][];
            assertEquals(14.25f, penalty(r, List.of(theta), g), 1e-5f);
            assertArrayEquals(new float[] {5, 4, 4}, g[0], 1e-5f);
            assertArrayEquals(new float[] {-1f, 0f, 0.5f}, r.exportState().get("wasserstein.init/t").data(), 0f);
        }
    }
}
