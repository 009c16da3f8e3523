package io.ctta.runtime.eval;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-then-train error bookkeeping (pure Java): overall, per domain (in order of first
 * appearance), over a sliding window of the last {@code window} records, and with exponential
 * fading ({@code E_t = (err_t + f·S_{t-1}) / (1 + f·N_{t-1})}, Gama et al. 2013).
 *
 * <p>Not thread-safe; one instance per stream, owned by one actor. Error values are
 * {@code Double.NaN} before the first record.
 */
public final class PrequentialEvaluator {

    private final int window;
    private final double fading;
    private final ArrayDeque<Boolean> recent = new ArrayDeque<>();
    private final Map<String, long[]> domains = new LinkedHashMap<>();
    private long count;
    private long errors;
    private int windowErrors;
    private double fadedErrors;
    private double fadedCount;

    /**
     * @param window size of the sliding window (>= 1)
     * @param fadingFactor in (0, 1]; 1 means no fading
     */
    public PrequentialEvaluator(int window, double fadingFactor) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        if (!(fadingFactor > 0 && fadingFactor <= 1)) {
            throw new IllegalArgumentException("fading factor must be in (0, 1], got " + fadingFactor);
        }
        this.window = window;
        this.fading = fadingFactor;
    }

    /** A window of 1000 records and fading factor 0.999. */
    public static PrequentialEvaluator withDefaults() {
        return new PrequentialEvaluator(1000, 0.999);
    }

    /** Records one prediction and its true label; {@code domainOrNull} groups per-domain errors. */
    public void record(int predicted, int label, String domainOrNull) {
        boolean wrong = predicted != label;
        count++;
        if (wrong) {
            errors++;
        }
        recent.addLast(wrong);
        if (wrong) {
            windowErrors++;
        }
        if (recent.size() > window && recent.removeFirst()) {
            windowErrors--;
        }
        fadedErrors = (wrong ? 1 : 0) + fading * fadedErrors;
        fadedCount = 1 + fading * fadedCount;
        if (domainOrNull != null) {
            long[] d = domains.computeIfAbsent(domainOrNull, k -> new long[2]);
            d[0]++;
            if (wrong) {
                d[1]++;
            }
        }
    }

    /** Records seen. */
    public long count() {
        return count;
    }

    /** Wrong predictions seen. */
    public long errors() {
        return errors;
    }

    /** Error rate over everything seen. */
    public double error() {
        return count == 0 ? Double.NaN : (double) errors / count;
    }

    /** Error rate over the last {@code window} records (fewer at the start). */
    public double windowError() {
        return recent.isEmpty() ? Double.NaN : (double) windowErrors / recent.size();
    }

    /** Records currently in the window. */
    public int windowCount() {
        return recent.size();
    }

    /** Exponentially faded error rate. */
    public double fadingError() {
        return count == 0 ? Double.NaN : fadedErrors / fadedCount;
    }

    /** Error rate per domain, in order of first appearance (a snapshot). */
    public Map<String, Double> errorByDomain() {
        Map<String, Double> out = new LinkedHashMap<>();
        domains.forEach((k, v) -> out.put(k, (double) v[1] / v[0]));
        return Collections.unmodifiableMap(out);
    }

    /** Records per domain, in order of first appearance (a snapshot). */
    public Map<String, Long> countByDomain() {
        Map<String, Long> out = new LinkedHashMap<>();
        domains.forEach((k, v) -> out.put(k, v[0]));
        return Collections.unmodifiableMap(out);
    }

    /** Forgets everything. */
    public void reset() {
        recent.clear();
        domains.clear();
        count = 0;
        errors = 0;
        windowErrors = 0;
        fadedErrors = 0;
        fadedCount = 0;
    }
}
