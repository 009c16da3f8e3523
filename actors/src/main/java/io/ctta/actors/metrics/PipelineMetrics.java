package io.ctta.actors.metrics;

import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one pipeline. Tags carry only the configured pipeline and strategy names, never
 * anything read from a record, so the number of time series is bounded by the config.
 * docs/metrics.md lists every name.
 */
public final class PipelineMetrics {

    private final Counter consumed;
    private final Counter predictions;
    private final Counter deadLetters;
    private final Counter labelled;
    private final Counter errors;
    private final Timer batchLatency;
    private final Timer serviceTime;
    private final DistributionSummary batchSize;
    private final Map<StepOutcome.Kind, Counter> steps = new EnumMap<>(StepOutcome.Kind.class);
    private final Map<String, Counter> actions = new java.util.concurrent.ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicLong modelVersion = new AtomicLong();
    // Gauges whose value is unknown until a batch (or a lag poll) measured it: absent until then.
    private final FiniteGauge meanEntropy;
    private final FiniteGauge meanConfidence;
    private final FiniteGauge windowError;
    private final FiniteGauge nativeBytes;
    /** Consumer lag per input partition, registered as partitions are first measured. */
    private final Map<Integer, FiniteGauge> lag = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Counter> feedbackCounters = new java.util.LinkedHashMap<>();
    private final FiniteGauge deadUnits;
    private final FiniteGauge effectiveRank;
    private final FiniteGauge weightMagnitude;
    private final FiniteGauge taskAccuracy;
    private String task;
    private long taskSeen;
    private long taskCorrect;
    /** {@code [correct, wrong]} counters per task label, in first-seen order. */
    private final Map<String, Counter[]> taskCounters = new java.util.LinkedHashMap<>();
    /** The current task's counters: records of one task arrive together. */
    private Counter[] taskPair;
    private final AtomicDouble feedbackPending = new AtomicDouble(0);
    private final StageClock stages;

    public PipelineMetrics(MeterRegistry registry, String pipeline, String strategy) {
        this.registry = registry;
        Tags tags = Tags.of("pipeline", pipeline, "strategy", strategy);
        this.tags = tags;
        for (String a : ACTIONS) {
            actionCounter(a);
        }
        consumed = Counter.builder("ctta.records.consumed").description("Records read from the input topic").tags(tags).register(registry);
        predictions = Counter.builder("ctta.predictions").description("Predictions produced").tags(tags).register(registry);
        deadLetters = Counter.builder("ctta.dead.letters").description("Records sent to the dead-letter topic").tags(tags).register(registry);
        labelled = Counter.builder("ctta.labelled.predictions").description("Predictions whose record carried a label").tags(tags).register(registry);
        errors = Counter.builder("ctta.prediction.errors").description("Labelled predictions that were wrong").tags(tags).register(registry);
        batchLatency = Timer.builder("ctta.batch.latency")
                .description("From the batch being formed to its predictions being ready")
                .tags(tags)
                .publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(10))
                .register(registry);
        serviceTime = Timer.builder("ctta.adaptation.duration")
                .description("Time the strategy spent on a batch (forward, loss, backward, update)")
                .tags(tags)
                .publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(10))
                .register(registry);
        batchSize = DistributionSummary.builder("ctta.batch.size").description("Records per micro-batch").tags(tags).register(registry);
        for (StepOutcome.Kind k : StepOutcome.Kind.values()) {
            steps.put(k, Counter.builder("ctta.adaptation.steps").description("Adaptation steps by outcome")
                    .tags(tags.and("outcome", k.name().toLowerCase())).register(registry));
        }
        Gauge.builder("ctta.model.version", modelVersion, AtomicLong::get).description("Parameter updates applied so far").tags(tags).register(registry);
        meanEntropy = new FiniteGauge(registry, "ctta.prediction.entropy", "Mean prediction entropy of the last batch (nats)", tags);
        meanConfidence = new FiniteGauge(registry, "ctta.prediction.confidence", "Mean top-class probability of the last batch", tags);
        // Micrometer appends the base unit to the Prometheus name: ctta_native_memory_bytes.
        nativeBytes = new FiniteGauge(registry, "ctta.native.memory.bytes",
                "Native memory the strategy holds between batches (parameters, optimizer state, teachers)", tags);
        for (String outcome : java.util.List.of("matched", "late", "unknown", "duplicate")) {
            feedbackCounters.put(outcome, Counter.builder("ctta.feedback.labels").description("Delayed labels by what became of them")
                    .tags(tags.and("outcome", outcome)).register(registry));
        }
        Gauge.builder("ctta.feedback.pending", feedbackPending, AtomicDouble::get)
                .description("Predictions waiting for their delayed label").tags(tags).register(registry);
        deadUnits = new FiniteGauge(registry, "ctta.plasticity.dead.units", "Fraction of penultimate ReLU units never active on a probe batch", tags);
        effectiveRank = new FiniteGauge(registry, "ctta.plasticity.effective.rank",
                "Effective rank (Roy-Vetterli) of the penultimate features on a probe batch", tags);
        weightMagnitude = new FiniteGauge(registry, "ctta.plasticity.weight.magnitude", "Mean absolute weight of the model's matrices and kernels", tags);
        taskAccuracy = new FiniteGauge(registry, "ctta.task.accuracy",
                "Online (prequential) accuracy since the current task began (a change of the records' domain tag)", tags);
        windowError = new FiniteGauge(registry, "ctta.prequential.error", "Error over the sliding window of labelled predictions", tags);
        stages = new StageClock(registry, tags);
    }

    /** Wall time per stage of the pipeline's graph. */
    public StageClock stages() {
        return stages;
    }

    public void consumed(int n) {
        consumed.increment(n);
    }

    /** Counts dead letters Kafka acknowledged (exactly once: whose transaction committed). */
    public void deadLettered(int n) {
        deadLetters.increment(n);
    }

    /** Counts predictions Kafka acknowledged (exactly once: whose transaction committed). */
    public void predictionsProduced(int n) {
        predictions.increment(n);
    }

    /** Records one served batch (its predictions are counted once produced). */
    public void served(ModelOutput out, long latencyNanos, long serviceNanos) {
        batchSize.record(out.size());
        batchLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
        serviceTime.record(serviceNanos, TimeUnit.NANOSECONDS);
        steps.get(out.step().kind()).increment();
        modelVersion.set(out.modelVersion());
        double h = 0;
        double conf = 0;
        for (int i = 0; i < out.size(); i++) {
            h += out.entropy(i);
            conf += out.confidence(i);
        }
        meanEntropy.set(h / out.size());
        meanConfidence.set(conf / out.size());
    }

    /** Counts a learn step (labelled feedback); a step that did nothing is not counted. */
    public void step(StepOutcome outcome) {
        if (outcome.kind() != StepOutcome.Kind.NONE) {
            steps.get(outcome.kind()).increment();
        }
    }

    /** Plasticity diagnostics, when the model actor measured them. */
    public void plasticity(io.ctta.runtime.diagnostics.Plasticity.Probe p) {
        if (p != null) {
            deadUnits.set(p.deadUnitFraction());
            effectiveRank.set(p.effectiveRank());
            weightMagnitude.set(p.meanWeightMagnitude());
        }
    }

    /** At most this many tasks get their own {@code ctta.task.predictions} series; later ones count as {@value #OTHER_TASKS}. */
    public static final int MAX_TASK_SERIES = 256;
    /** The task label of the overflow series (parenthesised: not a plausible dataset or domain name). */
    public static final String OTHER_TASKS = "(other)";

    /**
     * Scores one labelled record against its task (domain); a new domain starts a new task. Besides
     * the current task's accuracy gauge, every task keeps a pair of counters
     * ({@code ctta.task.predictions{task, outcome=correct|wrong}}), so the online accuracy of each
     * task of a stream (NEVIS'22's tasks, WILDS' domains) stays queryable after the stream moved on.
     */
    public synchronized void taskScored(String domain, boolean correct) {
        String d = domain == null ? "" : domain;
        if (!d.equals(task)) {
            task = d;
            taskSeen = 0;
            taskCorrect = 0;
            taskPair = taskCounters(d);
        }
        taskPair[correct ? 0 : 1].increment();
        taskSeen++;
        taskCorrect += correct ? 1 : 0;
        taskAccuracy.set((double) taskCorrect / taskSeen);
    }

    /** The counters of {@code task}; past {@value #MAX_TASK_SERIES} tasks, the shared overflow series. */
    private Counter[] taskCounters(String task) {
        String label = task.isEmpty() ? "-" : task;
        if (!taskCounters.containsKey(label) && taskCounters.size() >= MAX_TASK_SERIES) {
            label = OTHER_TASKS;
        }
        return taskCounters.computeIfAbsent(label, t -> new Counter[] {taskCounter(t, "correct"), taskCounter(t, "wrong")});
    }

    private Counter taskCounter(String label, String outcome) {
        return Counter.builder("ctta.task.predictions")
                .description("Labelled predictions per task (the records' domain tag), by outcome: per-task online accuracy")
                .tags(tags.and("task", label, "outcome", outcome)).register(registry);
    }

    /** Labelled predictions of each task so far: {@code [correct, wrong]} by task, in first-seen order. */
    public synchronized Map<String, long[]> taskScores() {
        Map<String, long[]> out = new java.util.LinkedHashMap<>();
        taskCounters.forEach((t, c) -> out.put(t, new long[] {(long) c[0].count(), (long) c[1].count()}));
        return out;
    }

    /** Counts delayed labels by what became of them. */
    public void feedback(int matched, int late, int unknown, int duplicate, int pending) {
        feedbackCounters.get("matched").increment(matched);
        feedbackCounters.get("late").increment(late);
        feedbackCounters.get("unknown").increment(unknown);
        feedbackCounters.get("duplicate").increment(duplicate);
        feedbackPending.set(pending);
    }

    /** The strategy's native memory, when sampled. */
    public void nativeBytes(long bytes) {
        if (bytes >= 0) {
            nativeBytes.set(bytes);
        }
    }

    /**
     * The consumer's lag per input partition: records between the group's committed offset and the
     * end of the partition (exactly once: its last stable offset), as last measured.
     */
    public void lag(Map<Integer, Long> byPartition) {
        byPartition.forEach((partition, records) -> lag.computeIfAbsent(partition, p -> new FiniteGauge(registry, "ctta.consumer.lag",
                "Records between the group's committed offset and the end of the input partition", tags.and("partition", String.valueOf(p))))
                .set(records));
    }

    /** The last measured lag of each input partition (absent until measured). */
    public Map<Integer, Long> lag() {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        lag.forEach((p, g) -> {
            double v = g.get();
            if (!Double.isNaN(v)) {
                out.put(p, (long) v);
            }
        });
        return out;
    }

    /** Records one labelled prediction of a task (domain) and the current window error. */
    public void scored(boolean correct, double currentWindowError, String domain) {
        taskScored(domain, correct);
        scored(correct, currentWindowError);
    }

    /** Records one labelled prediction and the current window error. */
    public void scored(boolean correct, double currentWindowError) {
        labelled.increment();
        if (!correct) {
            errors.increment();
        }
        windowError.set(currentWindowError);
    }

    /** Guard and drift actions; the tag takes only these values. */
    public static final java.util.List<String> ACTIONS = java.util.List.of(
            "rollback", "rollback-non-finite", "reset-collapse", "skip-checkpoint-non-finite",
            "drift-reset", "drift-switch-strategy", "drift-snapshot", PipelineMetrics.DEAD_LETTER_POISON, PipelineMetrics.OUTPUT_LOST);

    /** Kafka refused a record's output and its dead letter: nothing was written for it, the stream went on. */
    public static final String OUTPUT_LOST = "output-lost";

    /** The action of dead-lettering a record that crashed the model actor too often. */
    public static final String DEAD_LETTER_POISON = "dead-letter-poison";

    /** Counts one guard or drift action by name (an unknown name is counted as "other"). */
    public void action(String action) {
        actionCounter(ACTIONS.contains(action) ? action : "other").increment();
    }

    /** How many times each guard or drift action ran so far, by action name (zero counts left out). */
    public Map<String, Long> actionCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        actions.forEach((name, c) -> {
            if (c.count() > 0) {
                out.put(name, (long) c.count());
            }
        });
        return out;
    }

    private Counter actionCounter(String action) {
        return actions.computeIfAbsent(action, a -> Counter.builder("ctta.actions")
                .description("Actions taken: guard rollbacks and resets, skipped checkpoints, drift-triggered actions")
                .tags(tags.and("action", a)).register(registry));
    }

    /** The batch latency timer (percentiles for reports). */
    public Timer batchLatency() {
        return batchLatency;
    }

    /** A double holder for gauges; Micrometer reads it from its own thread. */
    static final class AtomicDouble {
        private volatile double value;

        AtomicDouble() {
            this(0);
        }

        AtomicDouble(double initial) {
            value = initial;
        }

        void set(double v) {
            value = v;
        }

        double get() {
            return value;
        }
    }
}
