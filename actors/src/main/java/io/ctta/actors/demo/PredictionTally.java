package io.ctta.actors.demo;

import io.ctta.streams.record.PredictionRecord;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Scores the predictions of one pipeline as they arrive: error per domain, duplicates, span. */
public final class PredictionTally {

    private final Map<String, long[]> perDomain = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();
    private long count;
    private long duplicates;
    private long firstMs = Long.MAX_VALUE;
    private long lastMs = Long.MIN_VALUE;

    /** Registers a domain so the report lists domains in stream order. */
    public void expectDomain(String domain) {
        perDomain.putIfAbsent(domain, new long[2]);
    }

    public void add(PredictionRecord p) {
        if (!seen.add(p.id())) {
            duplicates++;
            return;
        }
        count++;
        firstMs = Math.min(firstMs, p.processedAtMs());
        lastMs = Math.max(lastMs, p.processedAtMs());
        if (p.label() != null) {
            long[] c = perDomain.computeIfAbsent(p.domain() == null ? "-" : p.domain(), d -> new long[2]);
            c[0]++;
            if (p.predictedClass() != p.label()) {
                c[1]++;
            }
        }
    }

    /** Distinct predictions seen. */
    public long count() {
        return count;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Error rate (0..1) of one domain, NaN when it has no labelled predictions. */
    public double error(String domain) {
        long[] c = perDomain.get(domain);
        return c == null || c[0] == 0 ? Double.NaN : (double) c[1] / c[0];
    }

    /** The mean of the per-domain errors (each domain weighs the same, as in the TTA literature). */
    public double meanDomainError() {
        double sum = 0;
        int n = 0;
        for (long[] c : perDomain.values()) {
            if (c[0] > 0) {
                sum += (double) c[1] / c[0];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Domains in the order first seen or registered. */
    public Set<String> domains() {
        return perDomain.keySet();
    }

    /** Milliseconds between the first and the last prediction. */
    public long spanMs() {
        return count == 0 ? 0 : lastMs - firstMs;
    }
}
