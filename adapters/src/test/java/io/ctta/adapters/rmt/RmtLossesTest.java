package io.ctta.adapters.rmt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.GradientGate;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Known answers and gradient checks of RMT's loss terms and teacher update (docs/strategies/rmt.md). */
class RmtLossesTest {

    private static final float LN3 = (float) Math.log(3);

    @Test
    void symmetricCrossEntropyKnownAnswer() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray zs = m.create(new float[] {0, 0}, new Shape(1, 2));
            NDArray zt = m.create(new float[] {LN3, 0}, new Shape(1, 2));
            // a = 0: plain cross-entropy of the teacher's [0.75, 0.25] against [0.5, 0.5] = ln 2
            assertEquals(0.693147f, RmtLosses.symmetricCrossEntropy(zs, zt, 0f).getFloat(0), 1e-6f);
            // a = 1: reverse cross-entropy −0.5·(ln 0.75 + ln 0.25)
            assertEquals(0.836988f, RmtLosses.symmetricCrossEntropy(zs, zt, 1f).getFloat(0), 1e-6f);
            assertEquals(0.765068f, RmtLosses.symmetricCrossEntropy(zs, zt, RmtLosses.SCE_ALPHA).getFloat(0), 1e-6f);
            // self-training averages the plain and the augmented view: identical views give the same value
            assertEquals(0.765068f, RmtLosses.selfTraining(zs, zs, zt).getFloat(), 1e-6f);
            // per sample, batch of two
            NDArray zs2 = m.create(new float[] {0, 0, LN3, 0}, new Shape(2, 2));
            NDArray zt2 = m.create(new float[] {LN3, 0, LN3, 0}, new Shape(2, 2));
            float same = (float) -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
            assertArrayEquals(new float[] {0.765068f, same},
                    RmtLosses.symmetricCrossEntropy(zs2, zt2, 0.5f).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void symmetricCrossEntropyGradientMatchesFiniteDifferencesAndSkipsTheTeacher() {
        SplittableRandom r = new SplittableRandom(5);
        float[] s = new float[12];
        float[] t = new float[12];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (r.nextDouble() * 4 - 2);
            t[i] = (float) (r.nextDouble() * 4 - 2);
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray zs = m.create(s, new Shape(3, 4));
            NDArray zt = m.create(t, new Shape(3, 4));
            zs.setRequiresGradient(true);
            zt.setRequiresGradient(true);
            try (GradientGate.Session session = GradientGate.shared().open()) {
                session.backward(RmtLosses.symmetricCrossEntropy(zs, zt, 0.5f).sum());
            }
            float[] grad = zs.getGradient().toFloatArray();
            assertArrayEquals(new float[12], zt.getGradient().toFloatArray(), 0f, "the teacher must get no gradient");
            double h = 1e-3;
            for (int i = 0; i < s.length; i++) {
                double up = sceSum(s, t, i, h);
                double down = sceSum(s, t, i, -h);
                assertEquals((up - down) / (2 * h), grad[i], 2e-4, "d/dz_s[" + i + "]");
            }
        }
    }

    /** Σ_i SCE(z_s,i, z_t,i) in double precision with z_s[k] shifted by {@code delta}. */
    private static double sceSum(float[] s, float[] t, int k, double delta) {
        double total = 0;
        for (int row = 0; row < 3; row++) {
            double[] ls = logSoftmax(s, row, k, delta);
            double[] lt = logSoftmax(t, row, -1, 0);
            for (int c = 0; c < 4; c++) {
                total += -0.5 * Math.exp(lt[c]) * ls[c] - 0.5 * Math.exp(ls[c]) * lt[c];
            }
        }
        return total;
    }

    private static double[] logSoftmax(float[] z, int row, int k, double delta) {
        double[] v = new double[4];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < 4; c++) {
            v[c] = z[row * 4 + c] + (row * 4 + c == k ? delta : 0);
            max = Math.max(max, v[c]);
        }
        double sum = 0;
        for (int c = 0; c < 4; c++) {
            sum += Math.exp(v[c] - max);
        }
        for (int c = 0; c < 4; c++) {
            v[c] = v[c] - max - Math.log(sum);
        }
        return v;
    }

    @Test
    void contrastiveKnownAnswers() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // One sample, three identical views: each anchor has 2 others, all equally similar → ln 2.
            NDArray same = m.create(new float[] {0.6f, 0.8f, 0.6f, 0.8f, 0.6f, 0.8f}, new Shape(3, 2));
            assertEquals(Math.log(2), RmtLosses.contrastive(same, 1, 0.1f).getFloat(), 1e-6);
            // Two samples on orthogonal axes: positives at cos 1, negatives at cos 0, τ = 0.1:
            // ℓ = −log(e^10 / (2e^10 + 3)) = ln(2 + 3e^−10).
            float[] v = new float[12];
            for (int view = 0; view < 3; view++) {
                v[(view * 2) * 2] = 1f; // sample 0 → e1
                v[(view * 2 + 1) * 2 + 1] = 1f; // sample 1 → e2
            }
            NDArray ortho = m.create(v, new Shape(6, 2));
            assertEquals(Math.log(2 + 3 * Math.exp(-10)), RmtLosses.contrastive(ortho, 2, 0.1f).getFloat(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> RmtLosses.contrastive(ortho, 4, 0.1f));
        }
    }

    @Test
    void contrastiveMatchesADirectImplementationAndItsGradient() {
        int b = 4;
        int dim = 5;
        SplittableRandom r = new SplittableRandom(11);
        double[] x = new double[3 * b * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 2 - 1;
        }
        float[] xf = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xf[i] = (float) x[i];
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray raw = m.create(xf, new Shape(3 * b, dim));
            raw.setRequiresGradient(true);
            float loss;
            try (GradientGate.Session session = GradientGate.shared().open()) {
                NDArray l = RmtLosses.contrastive(RmtLosses.l2Normalize(raw), b, 0.1f);
                loss = l.getFloat();
                session.backward(l);
            }
            assertEquals(direct(x, b, dim, 0.1, -1, 0), loss, 1e-5);
            float[] grad = raw.getGradient().toFloatArray();
            double h = 1e-4;
            for (int i = 0; i < x.length; i += 7) {
                double fd = (direct(x, b, dim, 0.1, i, h) - direct(x, b, dim, 0.1, i, -h)) / (2 * h);
                assertEquals(fd, grad[i], 2e-3, "d/dx[" + i + "]");
            }
        }
    }

    /** The contrastive loss (docs/strategies/rmt.md, step 6) over L2-normalised rows, in double precision. */
    private static double direct(double[] raw, int b, int dim, double tau, int k, double delta) {
        int n = 3 * b;
        double[][] v = new double[n][dim];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                v[i][d] = raw[i * dim + d] + (i * dim + d == k ? delta : 0);
                norm += v[i][d] * v[i][d];
            }
            norm = Math.sqrt(norm);
            for (int d = 0; d < dim; d++) {
                v[i][d] /= norm;
            }
        }
        double total = 0;
        for (int a = 0; a < n; a++) {
            double den = 0;
            for (int j = 0; j < n; j++) {
                if (j != a) {
                    den += Math.exp(dot(v[a], v[j]) / tau);
                }
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j != a && j % b == a % b) {
                    sum += Math.log(Math.exp(dot(v[a], v[j]) / tau) / den);
                }
            }
            total += -sum / 2;
        }
        return total / n;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void emaKnownAnswer() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray teacher = m.create(new float[] {1, 2});
            NDArray student = m.create(new float[] {3, -2});
            RmtLosses.emaUpdate(List.of(teacher), List.of(student), 0.9f);
            assertArrayEquals(new float[] {1.2f, 1.6f}, teacher.toFloatArray(), 1e-6f);
            RmtLosses.emaUpdate(List.of(teacher), List.of(student), 0.999f);
            assertArrayEquals(new float[] {0.999f * 1.2f + 0.001f * 3, 0.999f * 1.6f - 0.001f * 2},
                    teacher.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {3, -2}, student.toFloatArray(), 0f);
        }
    }
}
