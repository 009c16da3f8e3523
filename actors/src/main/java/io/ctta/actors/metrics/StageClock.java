package io.ctta.actors.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wall time a pipeline spends in each stage of its graph: a pair of {@link LongAdder}s per stage
 * (nanoseconds, calls), cheap enough to stay on in production (two {@code nanoTime} calls and two
 * adds per timed call; most stages are timed once per batch). Exported as the counters
 * {@code ctta.stage.seconds{stage}} and {@code ctta.stage.calls{stage}}; {@code ctta bench
 * pipeline} prints them per batch. Thread-safe: stages run on the stream's, the model actor's and
 * the producer's threads.
 */
public final class StageClock {

    /** The stages of a pipeline, in the order a record meets them. */
    public enum Stage {
        /** Record value to model input (codec, resize, range watch); per record, on the stream. */
        DECODE("decode"),
        /** Decoded records to one input batch; per batch, on the stream. */
        BATCH("batch"),
        /** The ask's round trip less the model's own time: mailbox, scheduling, reply. */
        ASK("ask"),
        /** The strategy's forward pass and adaptation step, with the guards and checkpoint capture (model actor). */
        MODEL("model"),
        /** Predictions and dead letters to producer records (JSON, size checks), on the stream's output side. */
        ENCODE("encode"),
        /** Drift detectors, drift actions and the dashboard's series. */
        DRIFT("drift"),
        /** The batch's meters (latency, entropy, confidence, steps) and the prequential score of its labelled records. */
        METRICS("metrics"),
        /** The producer's send call, on the stream (serialising, partitioning, appending to its batch). */
        PRODUCE("produce"),
        /** From a send to its acknowledgement; overlapped with everything else, so not a cost of its own. */
        ACK("ack (overlapped)"),
        /** Writing checkpoints and releasing offsets for commit. */
        COMMIT("commit");

        private final String label;

        Stage(String label) {
            this.label = label;
        }

        /** The name in reports and in the {@code stage} tag. */
        public String label() {
            return label;
        }
    }

    /** Totals of one stage. */
    public record Totals(long nanos, long calls) {}

    private final Map<Stage, LongAdder> nanos = new EnumMap<>(Stage.class);
    private final Map<Stage, LongAdder> calls = new EnumMap<>(Stage.class);

    /** A clock whose stages are not exported (tests, benchmarks). */
    public StageClock() {
        for (Stage s : Stage.values()) {
            nanos.put(s, new LongAdder());
            calls.put(s, new LongAdder());
        }
    }

    /** A clock exported to {@code registry} with {@code tags} (pipeline, strategy) and the stage. */
    public StageClock(MeterRegistry registry, Tags tags) {
        this();
        for (Stage s : Stage.values()) {
            Tags t = tags.and("stage", s.label());
            FunctionCounter.builder("ctta.stage.seconds", nanos.get(s), a -> a.sum() / 1e9)
                    .description("Wall time spent in a stage of the pipeline").tags(t).baseUnit("seconds").register(registry);
            FunctionCounter.builder("ctta.stage.calls", calls.get(s), LongAdder::sum)
                    .description("Timed calls of a stage of the pipeline (per record or per batch)").tags(t).register(registry);
        }
    }

    /** Adds one call of {@code stage} that took {@code elapsedNanos}. */
    public void add(Stage stage, long elapsedNanos) {
        nanos.get(stage).add(elapsedNanos);
        calls.get(stage).increment();
    }

    /** Adds one call of {@code stage} that began at {@code startNanos} ({@link System#nanoTime()}) and ends now. */
    public void since(Stage stage, long startNanos) {
        add(stage, System.nanoTime() - startNanos);
    }

    /** The totals so far, every stage in order. */
    public Map<Stage, Totals> snapshot() {
        Map<Stage, Totals> out = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            out.put(s, new Totals(nanos.get(s).sum(), calls.get(s).sum()));
        }
        return out;
    }
}
