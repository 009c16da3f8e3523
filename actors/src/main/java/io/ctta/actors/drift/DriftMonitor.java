package io.ctta.actors.drift;

import com.typesafe.config.Config;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.checkpoint.SectionReader;
import io.ctta.runtime.checkpoint.SectionWriter;
import io.ctta.runtime.drift.Detector;
import io.ctta.runtime.drift.DetectorState;
import io.ctta.runtime.drift.DriftDetector;
import io.ctta.runtime.drift.DriftDetectors;
import io.ctta.runtime.drift.DriftLevel;
import io.ctta.runtime.drift.DriftSignal;
import io.ctta.runtime.drift.MultivariateDriftDetector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds a pipeline's configured detectors from the stream, record by record, and turns their
 * warnings and drifts into events and metrics. Label-free signals (entropy normalised by ln C,
 * confidence, input statistics) come with every prediction; the error signal only with labelled
 * records, scored prequentially. Confined to the pipeline's stream (one batch at a time).
 */
public final class DriftMonitor {

    /** One configured detector: which one, on which signal, with which settings. */
    public record Spec(String detector, DriftSignal signal, Config settings) {}

    /** What the monitor needs to know about one served record. */
    public record Observation(int partition, long offset, float[] features, int channels, Integer label) {
        /** An observation of a single-channel (or tabular) record. */
        public Observation(int partition, long offset, float[] features, Integer label) {
            this(partition, offset, features, 1, label);
        }
    }

    private final String pipeline;
    private final String strategy;
    private final List<Watch> watches = new ArrayList<>();

    private final class Watch {
        final Spec spec;
        final Detector detector;
        final Map<DriftLevel, Counter> events = new EnumMap<>(DriftLevel.class);
        DriftLevel previous = DriftLevel.STABLE;
        int firstPartition = -1;
        long firstOffset = -1;
        volatile double statistic;
        final io.ctta.actors.metrics.FiniteGauge statisticGauge;
        final io.ctta.actors.metrics.FiniteGauge thresholdGauge;
        volatile double threshold;
        volatile int level;

        Watch(Spec spec, Detector detector, MeterRegistry registry) {
            this.spec = spec;
            this.detector = detector;
            Tags tags = Tags.of("pipeline", pipeline, "strategy", strategy, "detector", detector.name(), "signal", spec.signal().wireName());
            // Absent until the detector has a finite value: a warming-up detector's infinite threshold
            // is not exported as 1.8e308.
            statisticGauge = new io.ctta.actors.metrics.FiniteGauge(registry, "ctta.drift.statistic", "The detector's statistic after the latest input", tags);
            thresholdGauge = new io.ctta.actors.metrics.FiniteGauge(registry, "ctta.drift.threshold", "The value the statistic must exceed to signal drift", tags);
            Gauge.builder("ctta.drift.level", this, w -> w.level).description("0 stable, 1 warning, 2 drift").tags(tags).register(registry);
            for (DriftLevel l : List.of(DriftLevel.WARNING, DriftLevel.DRIFT)) {
                events.put(l, Counter.builder("ctta.drift.events").description("Drift events published, by level")
                        .tags(Tags.of("pipeline", pipeline, "strategy", strategy, "detector", detector.name(), "level", l.wireName()))
                        .register(registry));
            }
        }

        /** Where this watch's state goes in a snapshot: detector and signal, numbered when repeated. */
        String key;

        void writeTo(SectionWriter out) {
            out.str(key);
            detector.snapshot().writeTo(out);
            out.i32(previous.ordinal()).i32(firstPartition).i64(firstOffset);
        }

        void restore(DetectorState state, int previousLevel, int partition, long offset) {
            DriftLevel[] levels = DriftLevel.values();
            if (previousLevel < 0 || previousLevel >= levels.length) {
                throw new IllegalArgumentException("invalid level " + previousLevel);
            }
            detector.restore(state);
            previous = levels[previousLevel];
            firstPartition = partition;
            firstOffset = offset;
            statistic = finite(detector.statistic());
            threshold = finite(detector.threshold());
            level = detector.level().ordinal();
        }

        void reset() {
            detector.reset();
            previous = DriftLevel.STABLE;
            firstPartition = -1;
            firstOffset = -1;
            statistic = 0;
            threshold = 0;
            level = 0;
        }

        /** Feeds one value or vector; returns an event when one is due. */
        DriftEvent feed(double value, double[] vector, int partition, long offset, long now) {
            if (firstOffset < 0) {
                firstPartition = partition;
                firstOffset = offset;
            }
            DriftLevel l = vector != null ? ((MultivariateDriftDetector) detector).update(vector) : ((DriftDetector) detector).update(value);
            double thr = detector.threshold();
            statistic = finite(detector.statistic());
            threshold = finite(thr);
            statisticGauge.set(detector.statistic());
            thresholdGauge.set(thr);
            level = l.ordinal();
            boolean publish = l == DriftLevel.DRIFT || (l == DriftLevel.WARNING && previous == DriftLevel.STABLE);
            previous = l;
            if (!publish) {
                return null;
            }
            events.get(l).increment();
            DriftEvent e = new DriftEvent(1, pipeline, strategy, detector.name(), spec.signal().wireName(), l.wireName(),
                    statistic, threshold, detector.samples(), detector.detections(), firstPartition, firstOffset, partition, offset, now, null);
            firstOffset = -1;
            return e;
        }
    }

    /**
     * @throws IllegalArgumentException when a detector's settings are invalid (the message names the key)
     */
    public DriftMonitor(String pipeline, String strategy, List<Spec> specs, long seed, MeterRegistry registry) {
        this.pipeline = pipeline;
        this.strategy = strategy;
        int i = 0;
        for (Spec s : specs) {
            Detector d = DriftDetectors.create(s.detector(), s.settings(), seed + 7919L * i++);
            boolean multivariate = d instanceof MultivariateDriftDetector;
            boolean vectorSignal = s.signal() == DriftSignal.INPUT || s.signal() == DriftSignal.EMBEDDING;
            if (multivariate != vectorSignal) {
                throw new IllegalArgumentException("detector " + s.detector() + " cannot watch signal " + s.signal().wireName()
                        + ": ks and mmd take the vector signal 'input'; adwin, page-hinkley and ddm take entropy, confidence or error");
            }
            if (s.signal() == DriftSignal.EMBEDDING) {
                throw new IllegalArgumentException("signal 'embedding' needs penultimate features, which pipelines do not export yet; use 'input'");
            }
            Watch w = new Watch(s, d, registry);
            String base = s.detector() + "/" + s.signal().wireName();
            long same = watches.stream().filter(x -> x.key.equals(base) || x.key.startsWith(base + "#")).count();
            w.key = same == 0 ? base : base + "#" + (same + 1);
            watches.add(w);
        }
    }

    /** The section kind of {@link #snapshot()}. */
    public static final String SECTION = "drift-monitor";

    /**
     * Every watch's state as a checkpoint section, keyed by detector and signal: the detector's own
     * state and what the signal side keeps (the level after the last record, which decides whether
     * a warning is published again, and where the current evidence began).
     */
    public byte[] snapshot() {
        SectionWriter out = new SectionWriter(SECTION, 1);
        out.i32(watches.size());
        for (Watch w : watches) {
            w.writeTo(out);
        }
        return out.toBytes();
    }

    /**
     * Restores the watches a {@link #snapshot()} holds, matched by detector and signal; a watch the
     * snapshot does not hold (configured since), or whose state does not fit its settings, starts
     * fresh.
     *
     * @return one line per watch that started fresh, saying why (empty when all were restored)
     * @throws IllegalArgumentException when the section is malformed (nothing is restored then)
     */
    public List<String> restore(byte[] snapshot) {
        SectionReader in = new SectionReader(snapshot, SECTION, 1);
        Map<String, Object[]> saved = new java.util.LinkedHashMap<>();
        for (int i = in.count(8); i > 0; i--) {
            String key = in.str();
            saved.put(key, new Object[] {DetectorState.readFrom(in), in.i32(), in.i32(), in.i64()});
        }
        in.end();
        List<String> fresh = new ArrayList<>();
        for (Watch w : watches) {
            Object[] s = saved.get(w.key);
            if (s == null) {
                w.reset();
                fresh.add(w.key + ": not in the checkpoint");
                continue;
            }
            try {
                w.restore((DetectorState) s[0], (Integer) s[1], (Integer) s[2], (Long) s[3]);
            } catch (IllegalArgumentException e) {
                w.reset();
                fresh.add(w.key + ": " + e.getMessage());
            }
        }
        return fresh;
    }

    /** Forgets every input of every watch (a stream that restarts without a checkpoint). */
    public void reset() {
        watches.forEach(Watch::reset);
    }

    /** Feeds a served batch (observations aligned with the output rows) and returns the events it raised. */
    public List<DriftEvent> observe(List<Observation> records, ModelOutput output) {
        List<DriftEvent> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        double lnC = Math.log(output.numClasses());
        for (int i = 0; i < records.size(); i++) {
            Observation r = records.get(i);
            for (Watch w : watches) {
                DriftEvent e = switch (w.spec.signal()) {
                    case ENTROPY -> w.feed(output.entropy(i) / lnC, null, r.partition(), r.offset(), now);
                    case CONFIDENCE -> w.feed(output.confidence(i), null, r.partition(), r.offset(), now);
                    case ERROR -> r.label() == null ? null
                            : w.feed(output.predictedClass(i) == r.label() ? 0 : 1, null, r.partition(), r.offset(), now);
                    case INPUT -> w.feed(0, inputStats(r.features(), r.channels()), r.partition(), r.offset(), now);
                    case EMBEDDING -> null;
                };
                if (e != null) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /**
     * Mean and standard deviation of a record's features per channel ({@code [mean_0, std_0,
     * mean_1, std_1, ...]}; channel-planar images, one channel for grey and tabular records), scaled
     * by 255 (8-bit images land in [0, 1]).
     */
    static double[] inputStats(float[] x, int channels) {
        int c = channels > 0 && x.length % channels == 0 ? channels : 1;
        int plane = x.length / c;
        double[] out = new double[2 * c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            double sq = 0;
            for (int i = ch * plane; i < (ch + 1) * plane; i++) {
                sum += x[i];
                sq += (double) x[i] * x[i];
            }
            double mean = sum / plane;
            double var = Math.max(0, sq / plane - mean * mean);
            out[2 * ch] = mean / 255.0;
            out[2 * ch + 1] = Math.sqrt(var) / 255.0;
        }
        return out;
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : (v > 0 ? Double.MAX_VALUE : -Double.MAX_VALUE);
    }
}
