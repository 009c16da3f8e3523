package io.ctta.actors.model;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointId;
import io.ctta.runtime.checkpoint.StaleOwnerException;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.PrequentialStep;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.diagnostics.Plasticity;
import io.ctta.runtime.eval.PrequentialEvaluator;
import io.ctta.runtime.feedback.FeedbackJoiner;
import io.ctta.runtime.feedback.JoinerSettings;
import io.ctta.runtime.feedback.LabelledBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * The only owner of one pipeline's model and adaptation strategy.
 *
 * <p>It runs on {@link #DISPATCHER}, a dedicated thread pool, because every message does native,
 * blocking work (forward and backward passes); on the default dispatcher it would starve the Kafka
 * stages and the HTTP server. Checkpoint file IO (write, fsync, rename, manifest) does not run
 * there: it runs on Pekko's blocking-IO dispatcher and reports back with a message, while the
 * actor goes on serving batches. Batches arrive and predictions leave as heap
 * values: no NDArray crosses the actor boundary, and every array made for a batch is freed inside
 * the strategy call that made it.
 *
 * <p>The strategy is built inside the actor (so on its dispatcher thread) and closed both on stop
 * and before a supervised restart, so a crash never leaks the model's native memory. With
 * checkpoints on, the actor restores the newest valid checkpoint at start, writes one when due
 * (its state plus the next offset of every partition it applied), and tells the stream which
 * offsets that checkpoint covers: only those may be committed to Kafka. A checkpoint also holds the
 * pipeline's state beyond the model, captured at the same point of the stream: the feedback joiner
 * and its evaluator (kept here) and the drift monitor and evaluator of the stream (attached by the
 * stream with {@link AttachStreamState}); {@link Rewound} hands the stream's parts back.
 *
 * <p>Guards: a non-finite output is never published (the model is rolled back and the batch
 * served again), K diverged steps in a row roll back to the last checkpoint, and a collapse
 * (entropy EMA under a threshold) resets to the source weights, with a cooldown.
 */
public final class ModelActor extends AbstractBehavior<ModelActor.Command> {

    /** The config path of the dispatcher model actors must run on. */
    public static final String DISPATCHER = "ctta-model-dispatcher";

    /** What a model actor accepts. */
    public sealed interface Command permits Predict, Persist, Rewind, Flush, Reset, SwitchStrategy, CheckpointNow, Feedback, Passed, CaptureIfDue,
            AttachStreamState, Stored {}

    /**
     * The stream's part of the pipeline state (drift monitor, evaluator windows) as checkpoint
     * sections, snapshotted right after the stream handled the batch (or quiet tick) that captured
     * checkpoint {@code token}: so it reflects exactly the records the model state does. Sent
     * before the {@link Persist} of that token, which it therefore precedes in the mailbox.
     */
    public record AttachStreamState(long token, Map<String, byte[]> sections) implements Command {}

    /** A checkpoint write on the blocking-IO dispatcher ended (failure null: stored). */
    private record Stored(CheckpointAgent writer, Checkpoint checkpoint, long token, ActorRef<Persisted> replyTo, Throwable failure) implements Command {}

    /** Names of the checkpoint sections (extras) that hold the pipeline's state beyond the model. */
    public static final class Sections {
        /** The drift monitor: every detector's state and its signal's, keyed by detector and signal. */
        public static final String DRIFT = "pipeline.drift-monitor";
        /** The stream's prequential evaluator (inline labels): counters and window. */
        public static final String EVALUATOR = "pipeline.evaluator";
        /** The feedback joiner: predictions waiting for their delayed labels. */
        public static final String JOINER = "pipeline.feedback-joiner";
        /** The prequential evaluator of delayed labels. */
        public static final String FEEDBACK_EVALUATOR = "pipeline.feedback-evaluator";

        private Sections() {}
    }

    /** One delayed label: the id of the record it belongs to. */
    public record Label(String id, int label, long eventTimeMs) {}

    /** Delayed labels to join with the predictions made for them and learn from. */
    public record Feedback(List<Label> labels, ActorRef<FeedbackResult> replyTo) implements Command {}

    /** One example released to the learner: its predicted class, its label, and the delayed-label window error after it. */
    public record Scored(int predicted, int label, double windowError) {}

    /**
     * What became of a batch of delayed labels.
     *
     * @param matched labels joined to a waiting prediction
     * @param late labels whose prediction had expired or been evicted
     * @param unknown labels for ids never predicted (or long forgotten)
     * @param duplicate labels for predictions that already had one
     * @param scored every example released to the learner, scored prequentially
     * @param steps learn steps by outcome kind name
     */
    public record FeedbackResult(int matched, int late, int unknown, int duplicate, List<Scored> scored, List<StepOutcome> steps, int pending) {}

    /**
     * How the actor uses labels.
     *
     * @param learnInline learn from labels inline in input records right after their prediction
     * @param joiner settings of the delayed-label joiner, or null when there is no feedback topic
     */
    public record LabelPolicy(boolean learnInline, JoinerSettings joiner) {
        /** Inline labels learned, no feedback topic. */
        public static LabelPolicy inlineOnly() {
            return new LabelPolicy(true, null);
        }
    }

    /** Reset the strategy to the state it was created with (the source weights). */
    public record Reset(String cause) implements Command {}

    /** Replace the strategy by a fresh one of another name (same source model). */
    public record SwitchStrategy(String name) implements Command {}

    /**
     * A quiet stream's periodic nudge: capture a checkpoint if its time trigger fired (or its count
     * trigger), without waiting for the next batch, so a quiet stream's last records get a
     * checkpoint, their offsets a commit and, with exactly-once output, their transaction a
     * commit. Sent in stream order, after the batches whose outputs are in flight.
     */
    public record CaptureIfDue(ActorRef<Captured> replyTo) implements Command {}

    /** The reply to {@link CaptureIfDue}: the token to {@link Persist}, 0 when nothing was captured. */
    public record Captured(long token) {}

    /** Capture a checkpoint after the next batch, whatever the triggers say. */
    public enum CheckpointNow implements Command {
        INSTANCE
    }

    /**
     * Predict a batch, then let the strategy adapt on it.
     *
     * @param nextOffsets per topic and partition, the offset after the batch's last record
     */
    public record Predict(InputBatch batch, List<String> ids, int[] labels, Map<String, Map<Integer, Long>> nextOffsets, ActorRef<Result> replyTo,
            List<String> keys) implements Command {
        /** A batch without ids or labels. */
        public Predict(InputBatch batch, Map<String, Map<Integer, Long>> nextOffsets, ActorRef<Result> replyTo) {
            this(batch, null, null, nextOffsets, replyTo, null);
        }

        /** A batch without record keys (with scope = key, all its records share the key ""). */
        public Predict(InputBatch batch, List<String> ids, int[] labels, Map<String, Map<Integer, Long>> nextOffsets, ActorRef<Result> replyTo) {
            this(batch, ids, labels, nextOffsets, replyTo, null);
        }
    }

    /**
     * Return to the last checkpoint (or the source weights when there is none) before a stream
     * (re)starts, and reply with the offsets to seek to: records after them are applied again.
     */
    public record Rewind(Optional<CheckpointId> committed, ActorRef<Rewound> replyTo) implements Command {
        /** Back to the newest checkpoint (at-least-once output). */
        public Rewind(ActorRef<Rewound> replyTo) {
            this(null, replyTo);
        }
    }

    /**
     * The predictions of the batch that captured checkpoint {@code token} were acknowledged by
     * Kafka: write that checkpoint now. The reply carries the offsets it covers (null when it was
     * dropped), which may then be committed.
     */
    public record Persist(long token, ActorRef<Persisted> replyTo) implements Command {}

    /**
     * The reply to {@link Persist}.
     *
     * @param offsets the next offsets the written checkpoint reflects, or null when none was written
     * @param id the checkpoint written, or null
     */
    public record Persisted(Map<String, Map<Integer, Long>> offsets, CheckpointId id) {
        static Persisted none() {
            return new Persisted(null, null);
        }
    }

    /**
     * Records that never reached the model (all rejected by the decoder) were passed over: the
     * next checkpoint covers their offsets too, so a resume does not dead-letter them again.
     */
    public record Passed(Map<String, Map<Integer, Long>> nextOffsets) implements Command {}

    /**
     * Write a checkpoint now (drain, shutdown); the reply names it (nothing written without
     * checkpoints). {@code streamState}: the stream's sections as of now (see {@link AttachStreamState}).
     */
    public record Flush(Map<String, byte[]> streamState, ActorRef<Persisted> replyTo) implements Command {
        /** A flush without the stream's part. */
        public Flush(ActorRef<Persisted> replyTo) {
            this(Map.of(), replyTo);
        }
    }

    /** The reply to {@link Predict}. */
    public sealed interface Result permits Predicted, Failed {}

    /**
     * The predictions for a batch.
     *
     * @param output probabilities, model version and what adaptation did
     * @param serviceNanos time spent in the strategy for this batch
     * @param checkpointToken non-zero when a checkpoint was captured after this batch: send
     *     {@link Persist} with it once the batch's outputs are acknowledged
     * @param actions guard actions taken after this batch (e.g. "rollback", "reset-collapse")
     * @param strategy the strategy that served the batch
     * @param nativeBytes the strategy's native memory, sampled every {@value #MEMORY_SAMPLE_EVERY} batches; -1 otherwise
     * @param learned what learning from the batch's inline labels did (none without labels)
     * @param plasticity plasticity diagnostics of a batch sampled every {@value #MEMORY_SAMPLE_EVERY} batches, measured off the model's thread and carried by the first reply after they are ready, or null
     */
    public record Predicted(ModelOutput output, long serviceNanos, long checkpointToken, List<String> actions, String strategy, long nativeBytes,
            StepOutcome learned, Plasticity.Probe plasticity) implements Result {}

    /** The batch could not be served; the actor restarts with a fresh strategy after replying. */
    public record Failed(String reason) implements Result {}

    /**
     * The reply to {@link Rewind}.
     *
     * @param offsets offsets the state reflects (empty: none; the stream starts from the group's position)
     * @param restored what the stream restores its own parts from; null without checkpoints (the
     *     stream keeps them as they are)
     */
    public record Rewound(Map<String, Map<Integer, Long>> offsets, Restored restored) {
        public Rewound(Map<String, Map<Integer, Long>> offsets) {
            this(offsets, null);
        }
    }

    /**
     * The checkpoint a rewind went back to, as the stream needs it.
     *
     * @param sequence its sequence number, -1 when there is none (source weights: start fresh)
     * @param carriesPipelineState false for a checkpoint written before pipeline state was stored
     *     (format version 1): start fresh and say so
     * @param sections its pipeline-state sections
     */
    public record Restored(long sequence, boolean carriesPipelineState, Map<String, byte[]> sections) {
        public Restored {
            sections = Map.copyOf(sections);
        }

        static Restored of(Optional<Checkpoint> c) {
            return c.map(x -> new Restored(x.sequence(), x.carriesPipelineState(), x.extra())).orElse(new Restored(-1, true, Map.of()));
        }
    }

    /**
     * Props that put an actor on a thread of its own ({@value #PINNED_DISPATCHER}). libtorch keeps
     * state per calling thread (operator thread count, grad mode, its allocator's and oneDNN's
     * caches, the C allocator's arena): a model that always runs on the same thread does not pay
     * to warm them again. Measured on the pipeline bench: the model thread's CPU per sample 10-25 %
     * lower than on the shared pool (docs/benchmarks/pipeline.md).
     */
    public static DispatcherSelector pinnedDispatcher() {
        return DispatcherSelector.fromConfig(PINNED_DISPATCHER);
    }

    public static final String PINNED_DISPATCHER = "ctta-model-pinned-dispatcher";

    /** Props that put an actor on the model dispatcher. */
    public static DispatcherSelector dispatcher() {
        return DispatcherSelector.fromConfig(DISPATCHER);
    }

    /** Without checkpoints and with default guards, always the same strategy. */
    public static Behavior<Command> create(Supplier<AdaptationStrategy> strategyFactory) {
        return create(name -> strategyFactory.get(), null, null, Guards.Settings.defaults(), LabelPolicy.inlineOnly());
    }

    /**
     * @param strategies builds the model and a strategy of the given name; called on the actor's
     *     own thread at start, after every restart and on {@link SwitchStrategy}
     * @param initial the strategy to start with
     * @param checkpoints opens the checkpoint agent (claims an epoch, loads the newest checkpoint);
     *     null when checkpoints are off
     */
    public static Behavior<Command> create(Function<String, AdaptationStrategy> strategies, String initial,
            Supplier<CheckpointAgent> checkpoints, Guards.Settings guards, LabelPolicy labels) {
        return create(strategies, initial, checkpoints, guards, labels, null);
    }

    /**
     * As above, with one adaptation state per record key ({@code scope = key}, docs/scopes.md).
     *
     * @param keyStates makes the key states (once per start and restart); null for one state (scope = pipeline)
     */
    public static Behavior<Command> create(Function<String, AdaptationStrategy> strategies, String initial,
            Supplier<CheckpointAgent> checkpoints, Guards.Settings guards, LabelPolicy labels, Supplier<KeyedStates> keyStates) {
        return Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.setup(
                ctx -> new ModelActor(ctx, stash, strategies, initial, checkpoints == null ? null : checkpoints.get(), guards, labels,
                        keyStates == null ? null : keyStates.get())));
    }

    /** Captured checkpoints waiting for their outputs to be acknowledged, oldest first. */
    private static final int MAX_PENDING = 8;
    /** Checkpoint messages held while a write is in flight (one Persist at a time in practice). */
    private static final int STASH_CAPACITY = 256;

    private final Function<String, AdaptationStrategy> strategies;
    private final LabelPolicy labels;
    private final FeedbackJoiner<float[]> joiner;
    private final PrequentialEvaluator feedbackEvaluator = PrequentialEvaluator.withDefaults();
    private final CheckpointAgent agent;
    private final StashBuffer<Command> stash;
    private final Executor blockingIo;
    private final PlasticityProbes probes;
    private boolean probedOnce;
    private long lastProbeNanos;
    /** A checkpoint write is in flight: messages that use the store or its last checkpoint wait. */
    private boolean writing;
    private final Guards guards;
    private boolean forceCapture;
    private long batches;

    /** How often the native memory gauge is sampled, in batches. */
    static final int MEMORY_SAMPLE_EVERY = 20;
    /**
     * At most one plasticity probe per this many nanoseconds (and per {@link #MEMORY_SAMPLE_EVERY}
     * batches). Why: a probe takes the batch's features with one more forward pass on this thread,
     * a twentieth of the model's time on a fast stream when taken every 20th batch
     * (docs/benchmarks/pipeline.md); the dashboard needs one every few seconds, not fifty.
     */
    static final long PLASTICITY_MIN_INTERVAL_NANOS = 2_000_000_000L;
    private final java.util.ArrayDeque<CheckpointAgent.Pending> pending = new java.util.ArrayDeque<>();
    private long nextToken;
    private AdaptationStrategy strategy;
    /** The per-key states (scope = key), null with one state for the pipeline. */
    private final KeyedStates keyed;

    private ModelActor(ActorContext<Command> context, StashBuffer<Command> stash, Function<String, AdaptationStrategy> strategies, String initial,
            CheckpointAgent agent, Guards.Settings guards, LabelPolicy labels, KeyedStates keyed) {
        super(context);
        this.stash = stash;
        this.blockingIo = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        this.probes = new PlasticityProbes(blockingIo);
        this.labels = labels;
        this.joiner = labels.joiner() == null ? null : new FeedbackJoiner<>(labels.joiner(), System::currentTimeMillis);
        this.strategies = strategies;
        this.agent = agent;
        this.guards = new Guards(guards);
        this.keyed = keyed;
        try {
            this.strategy = strategies.apply(initial);
            if (keyed != null) {
                keyed.bind(strategy);
            }
        } catch (RuntimeException e) {
            if (strategy != null) {
                strategy.close();
            }
            if (keyed != null) {
                keyed.close();
            }
            throw new StrategyCreationException(initial, e);
        }
        if (agent != null) {
            agent.last().ifPresent(this::restore);
            restoreOwnState(agent.last());
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Predict.class, this::onPredict)
                .onMessage(Persist.class, m -> writing ? stashed(m) : onPersist(m))
                .onMessage(Rewind.class, m -> writing ? stashed(m) : onRewind(m))
                .onMessage(Flush.class, m -> writing ? stashed(m) : onFlush(m))
                .onMessage(AttachStreamState.class, this::onAttach)
                .onMessage(Stored.class, this::onStored)
                .onMessage(Reset.class, r -> {
                    getContext().getLog().info("resetting {} to its initial state ({})", strategy.name(), r.cause());
                    resetStrategy();
                    return this;
                })
                .onMessage(SwitchStrategy.class, this::onSwitch)
                .onMessage(Feedback.class, this::onFeedback)
                .onMessage(CaptureIfDue.class, c -> {
                    c.replyTo().tell(new Captured(agent != null && agent.due(System.currentTimeMillis()) ? capture(new ArrayList<>()) : 0));
                    return this;
                })
                .onMessage(Passed.class, p -> {
                    if (agent != null) {
                        agent.applied(p.nextOffsets(), 0);
                    }
                    return this;
                })
                .onMessage(CheckpointNow.class, c -> {
                    forceCapture = true;
                    return this;
                })
                .onSignal(PostStop.class, this::release)
                .onSignal(PreRestart.class, this::release)
                .build();
    }

    private Behavior<Command> onPredict(Predict msg) {
        long start = System.nanoTime();
        lastShape = msg.batch().sampleShape();
        List<String> actions = new ArrayList<>(1);
        int[] inline = inlineLabelsOfEveryRecord(msg);
        ModelOutput out;
        // What learning from the inline labels did; null while they are still to be learned.
        StepOutcome learned = null;
        try {
            if (inline != null && keyed == null) {
                // One call instead of predict then learn: the continual learners answer both from
                // one forward pass (the same prediction, bit for bit), which saves the second.
                // (With scope = key, batches are served key group by key group: two calls.)
                PrequentialStep step = strategy.prequentialStep(msg.batch(), inline);
                out = step.prediction();
                learned = step.learned();
            } else {
                out = serve(msg);
            }
            if (!Guards.finite(out)) {
                // Never publish NaN: undo adaptation and serve the batch again from the restored
                // state; its labels are learned again below, from that state, as without the fusion.
                actions.add("rollback-non-finite");
                rollback();
                learned = null;
                out = serve(msg);
                if (!Guards.finite(out)) {
                    throw new IllegalStateException("non-finite predictions even after rolling back");
                }
            }
        } catch (RuntimeException e) {
            msg.replyTo().tell(new Failed(strategy.name() + " failed on a batch of " + msg.batch().size() + ": " + e));
            // Let the supervisor restart us: the strategy's state may be half-updated.
            throw e;
        }
        ModelOutput served = out;
        switch (guards.observe(out, () -> strategy.collapseEntropy(served))) {
            // A guard's action comes before the batch's learning step: one already taken is undone
            // with the rest of the state, and taken again below from the restored state.
            case ROLLBACK -> {
                actions.add("rollback");
                rollback();
                learned = null;
            }
            case RESET_COLLAPSE -> {
                actions.add("reset-collapse");
                resetStrategy();
                learned = null;
            }
            case NONE -> { }
        }
        learned = useLabels(msg, out, learned);
        long token = 0;
        if (agent != null) {
            agent.applied(msg.nextOffsets(), msg.batch().size());
            if (forceCapture || agent.due(System.currentTimeMillis())) {
                forceCapture = false;
                token = capture(actions);
            }
        }
        boolean sample = batches++ % MEMORY_SAMPLE_EVERY == 0;
        long bytes = sample ? strategy.nativeBytes() : -1;
        // A probe sampled earlier, measured meanwhile off this thread; this batch's features, if due.
        Plasticity.Probe plasticity = probes.poll();
        long now = System.nanoTime();
        if (sample && probes.idle() && (!probedOnce || now - lastProbeNanos >= PLASTICITY_MIN_INTERVAL_NANOS)) {
            probedOnce = true;
            lastProbeNanos = now;
            strategy.plasticity(msg.batch()).ifPresent(probes::submit);
        }
        msg.replyTo().tell(new Predicted(out, System.nanoTime() - start, token, List.copyOf(actions), strategy.name(), bytes, learned, plasticity));
        return this;
    }

    /** The batch's predictions: with scope = key, group by group with each key's state loaded. */
    private ModelOutput serve(Predict msg) {
        return keyed == null ? strategy.predict(msg.batch()) : keyed.serve(msg.batch(), msg.keys(), strategy::predict);
    }

    /** Back to the source state: the strategy's, and with scope = key every key's. */
    private void resetStrategy() {
        strategy.reset();
        if (keyed != null) {
            keyed.resetAll();
        }
    }

    /**
     * Snapshots the state now, while it matches the offsets applied so far; it is written only
     * once the outputs of every record it covers are acknowledged, so resuming from it can never
     * skip a prediction.
     */
    private long capture(List<String> actions) {
        StrategyState state = strategy.snapshot();
        if (!Guards.finite(state)) {
            actions.add("skip-checkpoint-non-finite");
            return 0;
        }
        if (pending.size() == MAX_PENDING) {
            pending.removeFirst();
        }
        Map<String, byte[]> sections = ownSections();
        if (keyed != null) {
            Map<String, byte[]> all = new java.util.HashMap<>(sections);
            all.putAll(keyed.section(nextToken + 1));
            sections = all;
        }
        CheckpointAgent.Pending p = agent.capture(++nextToken, state, sections);
        pending.addLast(p);
        return p.token();
    }

    /**
     * The most feature bytes the joiner's section may hold: a checkpoint extra is at most 2 GiB
     * (int32 length), and a capture copies it on the heap. Beyond it the waiting predictions are
     * left out (a restart then starts the joiner empty), with a warning.
     */
    static final long MAX_JOINER_SECTION_BYTES = 1L << 30;
    private boolean warnedJoinerTooLarge;

    /** The parts of the pipeline state this actor keeps, as checkpoint sections. */
    private Map<String, byte[]> ownSections() {
        if (joiner == null) {
            return Map.of();
        }
        long bytes = (long) joiner.pending() * (lastShape == null ? 0 : InputBatch.sampleLength(lastShape)) * Float.BYTES;
        if (bytes > MAX_JOINER_SECTION_BYTES) {
            if (!warnedJoinerTooLarge) {
                warnedJoinerTooLarge = true;
                getContext().getLog().warn("{} predictions awaiting labels hold {} MiB of features, more than a checkpoint takes ({} MiB): "
                        + "they are left out of checkpoints and a restart forgets them; lower feedback.max-pending or feedback.ttl",
                        joiner.pending(), bytes >> 20, MAX_JOINER_SECTION_BYTES >> 20);
            }
            return Map.of(Sections.FEEDBACK_EVALUATOR, feedbackEvaluator.snapshot());
        }
        return Map.of(Sections.JOINER, joiner.snapshot(FeedbackJoiner.FLOATS), Sections.FEEDBACK_EVALUATOR, feedbackEvaluator.snapshot());
    }

    /**
     * Restores the joiner and its evaluator from the checkpoint a (re)start goes back to, or starts
     * them fresh (no checkpoint, or one that predates pipeline state: said in the log). A guard's
     * rollback does not come here: the stream goes on, so the predictions waiting stay valid.
     */
    private void restoreOwnState(Optional<Checkpoint> c) {
        if (joiner == null) {
            return;
        }
        joiner.clear();
        feedbackEvaluator.reset();
        if (c.isEmpty()) {
            return;
        }
        if (!c.get().carriesPipelineState()) {
            getContext().getLog().info("checkpoint {} predates pipeline state (format version {}): the feedback joiner starts empty",
                    c.get().sequence(), c.get().formatVersion());
            return;
        }
        byte[] j = c.get().extra(Sections.JOINER);
        byte[] e = c.get().extra(Sections.FEEDBACK_EVALUATOR);
        try {
            if (j != null) {
                joiner.restore(j, FeedbackJoiner.FLOATS);
            } else {
                getContext().getLog().info("checkpoint {} holds no predictions awaiting labels: the feedback joiner starts empty", c.get().sequence());
            }
            if (e != null) {
                feedbackEvaluator.restore(e);
            }
            getContext().getLog().info("restored {} predictions awaiting labels from checkpoint {}", joiner.pending(), c.get().sequence());
        } catch (IllegalArgumentException bad) {
            joiner.clear();
            feedbackEvaluator.reset();
            getContext().getLog().warn("checkpoint {}: the feedback joiner starts empty: {}", c.get().sequence(), bad.getMessage());
        }
    }

    /** Adds the stream's sections to the capture they belong to (dropped captures are ignored). */
    private Behavior<Command> onAttach(AttachStreamState msg) {
        int n = pending.size();
        for (int i = 0; i < n; i++) {
            CheckpointAgent.Pending p = pending.removeFirst();
            pending.addLast(p.token() == msg.token() ? p.with(msg.sections()) : p);
        }
        return this;
    }

    private Behavior<Command> stashed(Command msg) {
        stash.stash(msg);
        return this;
    }

    private Behavior<Command> onPersist(Persist msg) {
        CheckpointAgent.Pending p = null;
        while (!pending.isEmpty() && pending.peekFirst().token() <= msg.token()) {
            p = pending.removeFirst();
        }
        if (p == null || p.token() != msg.token()) {
            msg.replyTo().tell(Persisted.none());
            return this;
        }
        return write(p, msg.replyTo());
    }

    /**
     * Writes a captured checkpoint on the blocking-IO dispatcher; {@link Stored} replies with what
     * it covers once it is durable. Until then the actor goes on serving, and holds back the
     * messages that use the store.
     */
    private Behavior<Command> write(CheckpointAgent.Pending p, ActorRef<Persisted> replyTo) {
        Checkpoint c = agent.prepare(p);
        writing = true;
        CompletableFuture<Void> io = new CompletableFuture<>();
        // Evicted key states the checkpoint names are made durable before it is.
        List<String> spilled = keyed == null ? List.of() : keyed.toSync(p.token());
        java.nio.file.Path spillDir = keyed == null ? null : keyed.dir();
        blockingIo.execute(() -> {
            try {
                KeyStateSpill.fsync(spillDir, spilled);
                agent.store(c);
                io.complete(null);
            } catch (Throwable t) {
                io.completeExceptionally(t);
            }
        });
        getContext().pipeToSelf(io, (ok, failure) -> new Stored(agent, c, p.token(), replyTo, failure));
        return this;
    }

    /** A write ended: reply, then let the held-back messages in. A fenced (stale) owner stops. */
    private Behavior<Command> onStored(Stored msg) {
        if (msg.writer() != agent) {
            // Started by this actor before a restart (which claimed a new epoch): not ours to record.
            msg.replyTo().tell(Persisted.none());
            return this;
        }
        writing = false;
        Throwable failure = msg.failure() instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null ? ce.getCause() : msg.failure();
        if (failure instanceof StaleOwnerException e) {
            getContext().getLog().error("pipeline stopped: {}", e.getMessage());
            msg.replyTo().tell(Persisted.none());
            return Behaviors.stopped();
        }
        if (failure != null) {
            // As before the IO moved off this thread: an unknown outcome restarts the actor from
            // its last checkpoint; the stream's ask fails and nothing is committed.
            throw failure instanceof RuntimeException r ? r : new IllegalStateException("checkpoint write failed", failure);
        }
        CheckpointAgent.Written w = agent.completed(msg.checkpoint());
        if (keyed != null) {
            keyed.stored(msg.token());
        }
        msg.replyTo().tell(new Persisted(w.offsets(), w.id()));
        return stash.unstashAll(this);
    }

    private Behavior<Command> onRewind(Rewind msg) {
        if (agent == null) {
            msg.replyTo().tell(new Rewound(Map.of()));
            return this;
        }
        if (msg.committed() != null) {
            // Exactly-once output: the checkpoint of the last committed transaction, not the newest.
            pending.clear();
            try {
                Optional<Checkpoint> c = agent.rewindTo(msg.committed());
                if (keyed != null) {
                    keyed.dropCaptures();
                }
                if (c.isPresent()) {
                    restore(c.get());
                } else {
                    resetStrategy();
                }
            } catch (StaleOwnerException e) {
                getContext().getLog().error("pipeline stopped: {}", e.getMessage());
                return Behaviors.stopped();
            }
        } else {
            rollback();
        }
        restoreOwnState(agent.last());
        msg.replyTo().tell(new Rewound(agent.checkpointedOffsets(), Restored.of(agent.last())));
        return this;
    }

    private Behavior<Command> onFlush(Flush msg) {
        if (agent == null) {
            msg.replyTo().tell(Persisted.none());
            return this;
        }
        pending.clear();
        long token = capture(new ArrayList<>());
        if (token == 0) {
            msg.replyTo().tell(Persisted.none());
            return this;
        }
        return write(pending.removeLast().with(msg.streamState()), msg.replyTo());
    }

    /**
     * The batch's inline labels when inline learning is on and every record carries one (the
     * case {@link AdaptationStrategy#prequentialStep} serves in one call), else null.
     */
    private int[] inlineLabelsOfEveryRecord(Predict msg) {
        int[] y = msg.labels();
        if (y == null || !labels.learnInline() || y.length != msg.batch().size()) {
            return null;
        }
        for (int v : y) {
            if (v < 0) {
                return null;
            }
        }
        return y;
    }

    /**
     * Learns from the batch's inline labels unless {@code alreadyLearned} says that was done (in
     * the same message as the prediction, so a resumed run learns them exactly as often), and
     * remembers unlabelled records for delayed labels.
     */
    private StepOutcome useLabels(Predict msg, ModelOutput out, StepOutcome alreadyLearned) {
        int[] y = msg.labels();
        InputBatch b = msg.batch();
        StepOutcome learned = alreadyLearned != null ? alreadyLearned : StepOutcome.none();
        if (alreadyLearned == null && y != null && labels.learnInline()) {
            int n = 0;
            for (int v : y) {
                n += v >= 0 ? 1 : 0;
            }
            if (n > 0) {
                int per = b.sampleLength();
                float[] f = new float[n * per];
                int[] l = new int[n];
                int j = 0;
                for (int i = 0; i < y.length; i++) {
                    if (y[i] >= 0) {
                        System.arraycopy(b.features(), i * per, f, j * per, per);
                        l[j++] = y[i];
                    }
                }
                learned = strategy.learn(new InputBatch(n, b.sampleShape(), f), l);
            }
        }
        if (joiner != null && msg.ids() != null) {
            int per = b.sampleLength();
            for (int i = 0; i < b.size(); i++) {
                if (y == null || y[i] < 0) {
                    float[] f = new float[per];
                    System.arraycopy(b.features(), i * per, f, 0, per);
                    joiner.predicted(msg.ids().get(i), f, out.predictedClass(i));
                }
            }
        }
        return learned;
    }

    private Behavior<Command> onFeedback(Feedback msg) {
        if (joiner == null) {
            msg.replyTo().tell(new FeedbackResult(0, 0, msg.labels().size(), 0, List.of(), List.of(), 0));
            return this;
        }
        int matched = 0;
        int late = 0;
        int unknown = 0;
        int duplicate = 0;
        for (Label l : msg.labels()) {
            switch (joiner.labelled(l.id(), l.label(), l.eventTimeMs())) {
                case MATCHED -> matched++;
                case LATE -> late++;
                case UNKNOWN -> unknown++;
                case DUPLICATE -> duplicate++;
            }
        }
        List<FeedbackJoiner.Joined<float[]>> released = joiner.drain();
        List<Scored> scored = new ArrayList<>(released.size());
        for (FeedbackJoiner.Joined<float[]> j : released) {
            feedbackEvaluator.record(j.predictedClass(), j.label(), null);
            scored.add(new Scored(j.predictedClass(), j.label(), feedbackEvaluator.windowError()));
        }
        List<StepOutcome> steps = new ArrayList<>();
        int[] shape = msg.labels().isEmpty() || released.isEmpty() ? null : sampleShapeOf(released.get(0).payload().length);
        if (shape != null) {
            for (LabelledBatch lb : LabelledBatch.of(released, shape, 64)) {
                steps.add(strategy.learn(lb.batch(), lb.labels()));
            }
        }
        msg.replyTo().tell(new FeedbackResult(matched, late, unknown, duplicate, scored, steps, joiner.pending()));
        return this;
    }

    private int[] lastShape;

    private int[] sampleShapeOf(int length) {
        return lastShape != null && InputBatch.sampleLength(lastShape) == length ? lastShape : new int[] {length};
    }

    private Behavior<Command> onSwitch(SwitchStrategy msg) {
        if (msg.name().equals(strategy.name())) {
            return this;
        }
        AdaptationStrategy next = strategies.apply(msg.name());
        if (keyed != null) {
            try {
                keyed.bind(next); // the states of the old strategy mean nothing to the new one
            } catch (IllegalArgumentException e) {
                getContext().getLog().warn("not switching to {}: {}", next.name(), e.getMessage());
                next.close();
                return this;
            }
            keyed.dropCaptures();
        }
        getContext().getLog().info("switching strategy {} -> {}", strategy.name(), next.name());
        strategy.close();
        strategy = next;
        pending.clear();
        return this;
    }

    /** Back to the last checkpoint, or to a fresh strategy (source weights) without one. */
    private void rollback() {
        pending.clear();
        if (keyed != null) {
            keyed.dropCaptures();
        }
        if (agent != null && agent.last().isPresent()) {
            restore(agent.last().get());
            agent.rewind();
        } else {
            resetStrategy();
            if (agent != null) {
                agent.rewind();
            }
        }
    }

    private void restore(Checkpoint c) {
        if (!c.strategy().equals(strategy.name())) {
            getContext().getLog().warn("checkpoint {} was written by strategy {}, not {}: starting from the source weights",
                    c.sequence(), c.strategy(), strategy.name());
            resetStrategy();
            return;
        }
        strategy.restore(c.state());
        if (keyed != null) {
            keyed.restore(Optional.of(c));
        }
    }

    private Behavior<Command> release(Signal signal) {
        strategy.close();
        if (keyed != null) {
            keyed.close();
        }
        return this;
    }
}
