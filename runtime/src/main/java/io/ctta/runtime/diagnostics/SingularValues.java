package io.ctta.runtime.diagnostics;

import java.util.Arrays;

/**
 * Singular values of a small dense matrix on the heap by one-sided Jacobi (Hestenes) rotations,
 * in double precision. The DJL API has no SVD, and the matrices the diagnostics need (a probe
 * batch of penultimate features, a few hundred by a few hundred at most) are small enough that a
 * plain, exact-to-rounding Jacobi sweep is both simple and accurate; it also serves tests as an
 * independent reference for power iteration.
 */
public final class SingularValues {

    private static final int MAX_SWEEPS = 100;
    private static final double TOLERANCE = 1e-15;

    private SingularValues() {}

    /**
     * The singular values of the {@code rows x cols} row-major matrix {@code a}, in descending
     * order; there are {@code min(rows, cols)} of them.
     *
     * @throws IllegalArgumentException when the sizes do not match or a value is not finite
     */
    public static double[] of(float[] a, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || (long) rows * cols != a.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + a.length);
        }
        // Orthogonalise the columns of the taller orientation: k vectors of length n, k <= n.
        boolean transpose = cols > rows;
        int k = transpose ? rows : cols;
        int n = transpose ? cols : rows;
        double[][] v = new double[k][n];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double x = a[r * cols + c];
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("matrix value (" + r + ", " + c + ") is " + x);
                }
                if (transpose) {
                    v[r][c] = x;
                } else {
                    v[c][r] = x;
                }
            }
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < k - 1; p++) {
                for (int q = p + 1; q < k; q++) {
                    double alpha = 0;
                    double beta = 0;
                    double gamma = 0;
                    double[] vp = v[p];
                    double[] vq = v[q];
                    for (int i = 0; i < n; i++) {
                        alpha += vp[i] * vp[i];
                        beta += vq[i] * vq[i];
                        gamma += vp[i] * vq[i];
                    }
                    if (gamma == 0 || Math.abs(gamma) <= TOLERANCE * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    for (int i = 0; i < n; i++) {
                        double x = vp[i];
                        double y = vq[i];
                        vp[i] = c * x - s * y;
                        vq[i] = s * x + c * y;
                    }
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] sv = new double[k];
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (double x : v[j]) {
                s += x * x;
            }
            sv[j] = Math.sqrt(s);
        }
        Arrays.sort(sv);
        for (int i = 0; i < k / 2; i++) {
            double t = sv[i];
            sv[i] = sv[k - 1 - i];
            sv[k - 1 - i] = t;
        }
        return sv;
    }
}
