package io.ctta.runtime.drift;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Feature drift by a Kolmogorov–Smirnov test per dimension (docs/drift.md; alibi-detect's
 * {@code KSDrift}): each test window is compared with the reference window dimension by
 * dimension, and the d p-values are combined with a Bonferroni or Benjamini–Hochberg correction.
 *
 * <p>{@link #statistic()} is −log10 of the corrected p-value (Bonferroni: d · min p, capped at 1;
 * FDR: the smallest Benjamini–Hochberg adjusted p-value, min_k d · p_(k) / k) and
 * {@link #threshold()} is −log10 α, so a window rejects exactly when the corrected p-value is
 * below α, as alibi-detect decides. {@link #pValue()} gives the corrected p-value itself and
 * {@link #distances()} the per-dimension D of the last test. The window mechanics (reference,
 * tumbling windows, consecutive rejections) are described on the package's base class and in
 * docs/drift.md.
 */
public final class KsDriftDetector extends TwoSampleWindowDetector {

    /** The registered name. */
    public static final String NAME = "ks";

    private final KsSettings settings;
    /** Sorted reference columns, derived from the reference and rebuilt when it changes. */
    private double[][] sortedReference;
    private double[] distances = new double[0];

    /** A detector with {@code settings}. */
    public KsDriftDetector(KsSettings settings) {
        super(settings.referenceSize(), settings.windowSize(), settings.consecutive(), -Math.log10(settings.pValue()));
        this.settings = settings;
    }

    /** A detector with the defaults. */
    public KsDriftDetector() {
        this(KsSettings.defaults());
    }

    /** Its settings. */
    public KsSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The KS distance D of each dimension in the last test (empty before the first). */
    public double[] distances() {
        return distances.clone();
    }

    @Override
    void referenceChanged() {
        sortedReference = null;
    }

    @Override
    void saveExtra(DetectorState.Builder b) {
        b.put("distances", distances);
    }

    @Override
    void resetExtra() {
        distances = new double[0];
    }

    @Override
    void restoreExtra(DetectorState state) {
        distances = state.array("distances");
    }

    @Override
    Map<String, Double> settingScalars() {
        return settings.asScalars();
    }

    @Override
    TestResult test(double[] ref, int n, double[] cur, int m, int d, long testIndex) {
        if (sortedReference == null) {
            sortedReference = new double[d][];
            for (int k = 0; k < d; k++) {
                sortedReference[k] = column(ref, n, d, k);
            }
        }
        long[] scaled = new long[d];
        double[] dist = new double[d];
        double nm = (double) n * m;
        for (int k = 0; k < d; k++) {
            scaled[k] = KolmogorovSmirnov.scaledStatisticSorted(sortedReference[k], column(cur, m, d, k));
            dist[k] = scaled[k] / nm;
        }
        distances = dist;
        double corrected;
        if (settings.correction() == KsSettings.Correction.BONFERRONI) {
            // p(D) does not increase with D, so only the largest distance needs a p-value
            long max = Arrays.stream(scaled).max().orElse(0);
            corrected = Math.min(1.0, d * pValue(n, m, max));
        } else {
            Map<Long, Double> memo = new HashMap<>();
            double[] p = new double[d];
            for (int k = 0; k < d; k++) {
                p[k] = memo.computeIfAbsent(scaled[k], s -> pValue(n, m, s));
            }
            Arrays.sort(p);
            corrected = 1.0;
            for (int k = 0; k < d; k++) {
                corrected = Math.min(corrected, d * p[k] / (k + 1));
            }
        }
        double statistic = -Math.log10(Math.max(corrected, Double.MIN_VALUE));
        return new TestResult(statistic, -Math.log10(settings.pValue()), corrected, corrected < settings.pValue());
    }

    private double pValue(int n, int m, long scaled) {
        return settings.method() == KsSettings.Method.EXACT
                ? KolmogorovSmirnov.exactPValue(n, m, scaled)
                : KolmogorovSmirnov.asymptoticPValue(n, m, scaled / ((double) n * m));
    }

    private static double[] column(double[] rows, int count, int d, int k) {
        double[] c = new double[count];
        for (int i = 0; i < count; i++) {
            c[i] = rows[i * d + k];
        }
        Arrays.sort(c);
        return c;
    }
}
