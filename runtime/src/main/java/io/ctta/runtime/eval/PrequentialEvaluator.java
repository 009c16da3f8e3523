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

    /** The section kind of {@link #snapshot()}. */
    public static final String SECTION = "prequential-evaluator";

    /**
     * Everything this evaluator holds (settings, counters, the window's records in order, the
     * per-domain counts, the faded sums) as a checkpoint section, so a restored evaluator goes on
     * exactly as this one would.
     */
    public byte[] snapshot() {
        io.ctta.runtime.checkpoint.SectionWriter out = new io.ctta.runtime.checkpoint.SectionWriter(SECTION, 1);
        out.i32(window).f64(fading).i64(count).i64(errors).f64(fadedErrors).f64(fadedCount);
        out.i32(recent.size());
        for (boolean wrong : recent) {
            out.bool(wrong);
        }
        out.i32(domains.size());
        domains.forEach((k, v) -> out.str(k).i64(v[0]).i64(v[1]));
        return out.toBytes();
    }

    /**
     * Replaces the state by a {@link #snapshot()}.
     *
     * @throws IllegalArgumentException when it was written with another window or fading factor,
     *     or is malformed; the evaluator is then unchanged
     */
    public void restore(byte[] snapshot) {
        io.ctta.runtime.checkpoint.SectionReader in = new io.ctta.runtime.checkpoint.SectionReader(snapshot, SECTION, 1);
        int w = in.i32();
        double f = in.f64();
        if (w != window || Double.compare(f, fading) != 0) {
            throw new IllegalArgumentException("the evaluator was checkpointed with window " + w + " and fading " + f
                    + ", this one has window " + window + " and fading " + fading);
        }
        long c = in.i64();
        long e = in.i64();
        double fe = in.f64();
        double fc = in.f64();
        ArrayDeque<Boolean> r = new ArrayDeque<>();
        int wrongInWindow = 0;
        for (int i = in.count(4); i > 0; i--) {
            boolean wrong = in.bool();
            r.addLast(wrong);
            wrongInWindow += wrong ? 1 : 0;
        }
        if (r.size() > window) {
            throw in.corrupt("the window holds " + r.size() + " records, more than " + window);
        }
        Map<String, long[]> d = new LinkedHashMap<>();
        for (int i = in.count(20); i > 0; i--) {
            d.put(in.str(), new long[] {in.i64(), in.i64()});
        }
        in.end();
        reset();
        recent.addAll(r);
        windowErrors = wrongInWindow;
        domains.putAll(d);
        count = c;
        errors = e;
        fadedErrors = fe;
        fadedCount = fc;
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
