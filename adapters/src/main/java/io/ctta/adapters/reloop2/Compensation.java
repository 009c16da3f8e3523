package io.ctta.adapters.reloop2;

/**
 * ReLoop2's error estimation and compensation (Zhu et al., KDD 2023), a pure function:
 * <ol>
 *   <li>{@code a_i = softmax_i(s_i / τ)} over the retrieved tuples;
 *   <li>{@code ȳ = Σ a_i y_i}, {@code ȳ_base = Σ a_i y_base,i};
 *   <li>{@code y_err = γ (ȳ − y_base) + (1 − γ)(ȳ − ȳ_base)};
 *   <li>{@code y_pred = clamp(y_base + λ y_err, 0, 1)}; for a probability vector (more than one
 *       value) the clamped vector is renormalised to sum 1 (the multi-class extension, our choice).
 * </ol>
 */
public final class Compensation {

    private Compensation() {}

    /**
     * Compensates one prediction.
     *
     * @param basePrediction {@code y_base} of the query, {@code V} floats
     * @param nb the retrieved tuples
     * @param tau the softmax temperature τ (> 0)
     * @param gamma the mix γ of the two error measures, in [0, 1]
     * @param lambda the compensation strength λ (>= 0)
     * @return the compensated prediction, or a copy of {@code basePrediction} when {@code nb} is empty
     */
    public static float[] apply(float[] basePrediction, Neighbours nb, double tau, double gamma, double lambda) {
        int v = basePrediction.length;
        if (nb.valueDim() != v) {
            throw new IllegalArgumentException("neighbours hold values of " + nb.valueDim() + " floats, the prediction "
                    + v);
        }
        float[] out = basePrediction.clone();
        if (nb.count() == 0) {
            return out;
        }
        double[] a = attention(nb, tau);
        double[] yBar = new double[v];
        double[] yBaseBar = new double[v];
        for (int i = 0; i < nb.count(); i++) {
            for (int c = 0; c < v; c++) {
                yBar[c] += a[i] * nb.labels()[i * v + c];
                yBaseBar[c] += a[i] * nb.basePredictions()[i * v + c];
            }
        }
        double sum = 0;
        for (int c = 0; c < v; c++) {
            double err = gamma * (yBar[c] - basePrediction[c]) + (1 - gamma) * (yBar[c] - yBaseBar[c]);
            double p = Math.min(1, Math.max(0, basePrediction[c] + lambda * err));
            out[c] = (float) p;
            sum += p;
        }
        if (v > 1) {
            if (sum > 0) {
                for (int c = 0; c < v; c++) {
                    out[c] = (float) (out[c] / sum);
                }
            } else {
                return basePrediction.clone();
            }
        }
        return out;
    }

    /** The attention weights {@code softmax(s/τ)} of the retrieved tuples (max-shifted, stable). */
    public static double[] attention(Neighbours nb, double tau) {
        int n = nb.count();
        double[] a = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, nb.similarity()[i] / tau);
        }
        double z = 0;
        for (int i = 0; i < n; i++) {
            a[i] = Math.exp(nb.similarity()[i] / tau - max);
            z += a[i];
        }
        for (int i = 0; i < n; i++) {
            a[i] /= z;
        }
        return a;
    }
}
