package io.ctta.runtime.drift;

import java.util.ArrayList;
import java.util.List;

/**
 * ADWIN2 (Bifet and Gavaldà, 2007) as MOA and River implement it (docs/drift.md): a window of
 * recent values kept as an exponential histogram, cut whenever an older and a newer part of it
 * have significantly different means.
 *
 * <p>Every {@link AdwinSettings#clock()} inputs, once the window is longer than the grace period,
 * each split of the window at a bucket boundary into an older part (n0 items, mean μ0) and a newer
 * part (n1, μ1) with both parts at least {@code minWindowLength} long is tested with
 * <pre>
 *   m⁻¹ = 1/(n0 − L + 1) + 1/(n1 − L + 1)      (L = minWindowLength, as River and MOA do)
 *   ε   = sqrt(2 · m⁻¹ · σ²_W · ln(2 ln W / δ)) + (2/3) · m⁻¹ · ln(2 ln W / δ)
 * </pre>
 * where W is the window width and σ²_W its variance. If |μ0 − μ1| &gt; ε the oldest bucket is
 * dropped and the scan repeats until no split is significant; the update then returns
 * {@link DriftLevel#DRIFT}. The splits run from the oldest bucket to the newest, over every bucket
 * boundary as in MOA (River's loop skips the newest bucket of each row; the paper's algorithm
 * tests every split).
 *
 * <p>{@link #statistic()} is the largest |μ0 − μ1| / ε over the splits of the last check (of the
 * first pass, when that check cut), so the threshold is 1. Inputs are meant to lie in [0, 1]
 * (errors, confidences, normalised entropies): the Bernstein bound behind ε assumes range 1.
 * ADWIN has no warning zone.
 */
public final class AdwinDetector extends ScalarDriftDetector<AdwinSettings> {

    /** The registered name. */
    public static final String NAME = "adwin";

    /** rows.get(i) holds buckets of 2^i inputs; index 0 of a row is its oldest bucket. */
    private final List<Row> rows = new ArrayList<>();
    private double width;
    private double total;
    /** Sum of squared deviations from the mean over the window (n · variance). */
    private double variance;
    private long tick;

    /** A detector with {@code settings}. */
    public AdwinDetector(AdwinSettings settings) {
        super(NAME, settings, settings.asScalars(), false);
        clearStatistics();
    }

    /** A detector with the defaults. */
    public AdwinDetector() {
        this(AdwinSettings.defaults());
    }

    @Override
    DriftLevel observe(double value) {
        insert(value);
        return detectChange() ? DriftLevel.DRIFT : DriftLevel.STABLE;
    }

    /** The mean of the current window, ADWIN's estimate of the signal; 0 when empty. */
    public double mean() {
        return width > 0 ? total / width : 0;
    }

    /** The variance of the current window. */
    public double windowVariance() {
        return width > 0 ? variance / width : 0;
    }

    /** Number of buckets held (memory is O(M log W)). */
    public int bucketCount() {
        int n = 0;
        for (Row r : rows) {
            n += r.count;
        }
        return n;
    }

    private void insert(double value) {
        rows.get(0).add(value, 0.0);
        width += 1;
        if (width > 1) {
            double d = value - total / (width - 1);
            variance += (width - 1) * d * d / width;
        }
        total += value;
        compress();
    }

    /** Merges the two oldest buckets of any row that holds M + 1, cascading upwards. */
    private void compress() {
        int m = settings().maxBuckets();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (row.count <= m) {
                return;
            }
            if (i + 1 == rows.size()) {
                rows.add(new Row(m));
            }
            double n = Math.pow(2, i);
            double mu1 = row.totals[0] / n;
            double mu2 = row.totals[1] / n;
            double merged = row.variances[0] + row.variances[1] + n * n * (mu1 - mu2) * (mu1 - mu2) / (2 * n);
            rows.get(i + 1).add(row.totals[0] + row.totals[1], merged);
            row.dropOldest(2);
        }
    }

    private boolean detectChange() {
        tick++;
        if (tick % settings().clock() != 0 || width <= settings().gracePeriod()) {
            return false;
        }
        boolean changed = false;
        boolean firstPass = true;
        boolean reduce = true;
        while (reduce) {
            reduce = false;
            double maxRatio = 0;
            double n0 = 0;
            double n1 = width;
            double u0 = 0;
            double u1 = total;
            scan:
            for (int i = rows.size() - 1; i >= 0; i--) {
                Row row = rows.get(i);
                double size = Math.pow(2, i);
                for (int k = 0; k < row.count; k++) {
                    n0 += size;
                    n1 -= size;
                    u0 += row.totals[k];
                    u1 -= row.totals[k];
                    if (i == 0 && k == row.count - 1) {
                        break scan; // the newer part would be empty
                    }
                    if (n0 >= settings().minWindowLength() && n1 >= settings().minWindowLength()) {
                        double diff = Math.abs(u0 / n0 - u1 / n1);
                        double eps = epsilonCut(n0, n1);
                        maxRatio = Math.max(maxRatio, eps > 0 ? diff / eps : (diff > 0 ? Double.MAX_VALUE : 0));
                        if (diff > eps) {
                            changed = true;
                            reduce = true;
                            deleteOldest();
                            break scan;
                        }
                    }
                }
            }
            if (firstPass) {
                statistic = maxRatio;
                firstPass = false;
            }
        }
        return changed;
    }

    /** ε_cut in the variance-based form MOA and River use, with their minimum-window correction. */
    private double epsilonCut(double n0, double n1) {
        double lnTerm = Math.log(2 * Math.log(width) / settings().delta());
        double mRecip = 1.0 / (n0 - settings().minWindowLength() + 1) + 1.0 / (n1 - settings().minWindowLength() + 1);
        return Math.sqrt(2 * mRecip * windowVariance() * lnTerm) + 2.0 / 3.0 * lnTerm * mRecip;
    }

    private void deleteOldest() {
        int last = rows.size() - 1;
        Row row = rows.get(last);
        double n = Math.pow(2, last);
        double u = row.totals[0];
        double v = row.variances[0];
        width -= n;
        total -= u;
        double mu = u / n;
        double muWindow = total / width;
        variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width);
        if (variance < 0) {
            variance = 0; // rounding; a window variance is never negative
        }
        row.dropOldest(1);
        if (row.count == 0) {
            rows.remove(last);
        }
    }

    /** 1: a split is significant when |μ0 − μ1| exceeds ε_cut. */
    @Override
    public double threshold() {
        return 1.0;
    }

    @Override
    public long samples() {
        return (long) width;
    }

    @Override
    void saveStatistics(DetectorState.Builder b) {
        int n = bucketCount();
        double[] counts = new double[rows.size()];
        double[] totals = new double[n];
        double[] variances = new double[n];
        int j = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            counts[i] = r.count;
            System.arraycopy(r.totals, 0, totals, j, r.count);
            System.arraycopy(r.variances, 0, variances, j, r.count);
            j += r.count;
        }
        b.put("width", width).put("total", total).put("variance", variance).put("tick", tick)
                .put("rowCounts", counts).put("totals", totals).put("variances", variances);
    }

    @Override
    void restoreStatistics(DetectorState state) {
        double[] counts = state.array("rowCounts");
        double[] totals = state.array("totals");
        double[] variances = state.array("variances");
        List<Row> restored = new ArrayList<>();
        int j = 0;
        for (double c : counts) {
            int count = (int) c;
            if (count < 0 || count > settings().maxBuckets() || j + count > totals.length || totals.length != variances.length) {
                throw new IllegalArgumentException("adwin state is inconsistent: bucket row of " + c + " buckets");
            }
            Row r = new Row(settings().maxBuckets());
            for (int k = 0; k < count; k++) {
                r.add(totals[j], variances[j]);
                j++;
            }
            restored.add(r);
        }
        if (j != totals.length || restored.isEmpty()) {
            throw new IllegalArgumentException("adwin state is inconsistent: " + totals.length + " buckets for rows " + j);
        }
        rows.clear();
        rows.addAll(restored);
        width = state.scalar("width");
        total = state.scalar("total");
        variance = state.scalar("variance");
        tick = (long) state.scalar("tick");
    }

    @Override
    void clearStatistics() {
        rows.clear();
        rows.add(new Row(settings().maxBuckets()));
        width = 0;
        total = 0;
        variance = 0;
        tick = 0;
    }

    /** The buckets of one size: totals and variances (sums of squared deviations), oldest first. */
    private static final class Row {
        final double[] totals;
        final double[] variances;
        int count;

        Row(int maxBuckets) {
            totals = new double[maxBuckets + 1];
            variances = new double[maxBuckets + 1];
        }

        void add(double t, double v) {
            totals[count] = t;
            variances[count] = v;
            count++;
        }

        void dropOldest(int n) {
            System.arraycopy(totals, n, totals, 0, count - n);
            System.arraycopy(variances, n, variances, 0, count - n);
            count -= n;
            for (int i = count; i < count + n; i++) {
                totals[i] = 0;
                variances[i] = 0;
            }
        }
    }
}
