package io.ctta.actors.dashboard;

import io.ctta.actors.drift.DriftEvent;
import io.ctta.runtime.data.ModelOutput;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pipeline's time series for the live dashboard: a point per second (accuracy over the
 * prequential window, mean entropy and confidence, predictions per second) and the drift events,
 * each bounded (the newest 3,600 points and 500 events). Written by the pipeline's stream, read
 * by HTTP requests; every method is synchronized.
 */
public final class SeriesRecorder {

    static final int MAX_POINTS = 3600;
    static final int MAX_EVENTS = 500;

    private final String pipeline;
    private final String strategy;
    private final long startNanos;
    private final ArrayDeque<Map<String, Object>> points = new ArrayDeque<>();
    private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();
    private double openSince;
    private long predictions;
    private double entropy;
    private double confidence;
    private Double accuracy;
    private long modelVersion;
    private String domain;

    public SeriesRecorder(String pipeline, String strategy, long startNanos) {
        this.pipeline = pipeline;
        this.strategy = strategy;
        this.startNanos = startNanos;
        this.openSince = now();
    }

    /** Seconds since the runtime started. */
    double now() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Adds a served batch.
     *
     * @param windowAccuracy accuracy over the prequential window, or null before any label
     * @param lastDomain the domain tag of the batch's last record, or null
     */
    public synchronized void batch(ModelOutput out, Double windowAccuracy, String lastDomain) {
        closeIfDue();
        predictions += out.size();
        for (int i = 0; i < out.size(); i++) {
            entropy += out.entropy(i);
            confidence += out.confidence(i);
        }
        if (windowAccuracy != null) {
            accuracy = windowAccuracy;
        }
        modelVersion = out.modelVersion();
        if (lastDomain != null) {
            domain = lastDomain;
        }
    }

    /** Adds a drift event (warnings and drifts; actions are not charted). */
    public synchronized void drift(DriftEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("t", now());
        m.put("detector", e.detector());
        m.put("signal", e.signal());
        m.put("level", e.level());
        m.put("statistic", e.statistic());
        m.put("threshold", e.threshold());
        events.addLast(m);
        while (events.size() > MAX_EVENTS) {
            events.removeFirst();
        }
    }

    /** Points and events newer than {@code since} seconds, as the dashboard's JSON object. */
    public synchronized Map<String, Object> since(double since) {
        closeIfDue();
        List<Map<String, Object>> p = new ArrayList<>();
        for (Map<String, Object> m : points) {
            if ((double) m.get("t") > since) {
                p.add(m);
            }
        }
        List<Map<String, Object>> e = new ArrayList<>();
        for (Map<String, Object> m : events) {
            if ((double) m.get("t") > since) {
                e.add(m);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", pipeline);
        out.put("strategy", strategy);
        out.put("points", p);
        out.put("drift", e);
        return out;
    }

    private void closeIfDue() {
        double t = now();
        if (t - openSince < 1.0) {
            return;
        }
        if (predictions > 0) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", t);
            m.put("accuracy", accuracy);
            m.put("entropy", entropy / predictions);
            m.put("confidence", confidence / predictions);
            m.put("throughput", predictions / (t - openSince));
            m.put("modelVersion", modelVersion);
            if (domain != null) {
                m.put("domain", domain);
            }
            points.addLast(m);
            while (points.size() > MAX_POINTS) {
                points.removeFirst();
            }
        }
        openSince = t;
        predictions = 0;
        entropy = 0;
        confidence = 0;
    }
}
