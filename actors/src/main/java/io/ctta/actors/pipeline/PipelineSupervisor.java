package io.ctta.actors.pipeline;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.dashboard.SeriesRecorder;
import io.ctta.actors.drift.DriftActions;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.actors.model.CheckpointAgent;
import io.ctta.actors.model.Guards;
import io.ctta.actors.model.IntraOpThreadsInterceptor;
import io.ctta.actors.model.ModelActor;
import io.ctta.actors.model.StrategyCreationException;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.runtime.checkpoint.CheckpointId;
import io.ctta.streams.record.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.DispatcherSelector;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.kafka.javadsl.Consumer;

/**
 * Runs one pipeline: spawns its model actor on the model dispatcher, rewinds it to its last
 * checkpoint, starts the Kafka graph from that checkpoint's offsets, and restarts the whole with
 * exponential backoff when the graph fails (uncommitted records are then served again from the
 * rewound model, so none is applied twice). {@link Stop} drains the graph (batches in flight are
 * produced first) and writes a final checkpoint. With {@code standby = true} it does all that only
 * while it holds the pipeline's {@link LeaderLease}; without it, it stands by without a model.
 */
public final class PipelineSupervisor extends AbstractBehavior<PipelineSupervisor.Command> {

    /** What a pipeline supervisor accepts. */
    public sealed interface Command permits Stop, Rewound, PointerRead, StreamEnded, Restart, Drained, Stopped, PollLag, Lag, FeedbackEnded, RestartFeedback,
            UnitsIdle, Assign, UnitRewound, Revoked, UnitFinished, UnitStopped, LeaseAcquired, LeaseReleased {}

    // --- hot standby (scope = pipeline, standby = true) ------------------------------------------

    /** This process now holds the pipeline's lease: it serves. */
    private enum LeaseAcquired implements Command {
        INSTANCE
    }

    /** Another process took the lease: hand over (drain, final checkpoint), then complete {@code done}. */
    private record LeaseReleased(CompletableFuture<Void> done) implements Command {}

    // --- partition scope: a model per assigned input partition ----------------------------------

    /** The previous run's sub-streams have all ended: start the partitioned graph of {@code generation}. */
    private record UnitsIdle(int generation) implements Command {}

    /** The consumer of {@code generation} was given these partitions; {@code reply} gets where to read each from. */
    private record Assign(int generation, Set<TopicPartition> partitions, CompletableFuture<Map<TopicPartition, Object>> reply) implements Command {}

    private record UnitRewound(int generation, PartitionUnit unit, ModelActor.Rewound rewound, Throwable failure, PendingAssign assign)
            implements Command {}

    /** These partitions left this process for good. */
    private record Revoked(Set<TopicPartition> partitions) implements Command {}

    /** A partition's sub-stream ended and its model wrote its final checkpoint. */
    private record UnitFinished(PartitionUnit unit) implements Command {}

    private record UnitStopped(PartitionUnit unit) implements Command {}

    private record FeedbackEnded(Throwable failure) implements Command {}

    private enum RestartFeedback implements Command {
        INSTANCE
    }

    private enum PollLag implements Command {
        INSTANCE
    }

    /** The lag per input partition, or null when it could not be measured. */
    private record Lag(java.util.Map<Integer, Long> byPartition) implements Command {}

    /** Drain and stop the pipeline; {@code replyTo} gets {@link Done} when it has. */
    public record Stop(ActorRef<Done> replyTo) implements Command {}

    private record Rewound(int generation, ModelActor.Rewound rewound, Throwable failure) implements Command {}

    /** Exactly-once output: the last committed checkpoint pointer was read (or could not be). */
    private record PointerRead(int generation, Optional<CheckpointPointer> pointer, Throwable failure) implements Command {}

    private record StreamEnded(int generation, Throwable failure) implements Command {}

    private enum Restart implements Command {
        INSTANCE
    }

    private record Drained(ActorRef<Done> replyTo) implements Command {}

    private record Stopped(ActorRef<Done> replyTo) implements Command {}

    /**
     * Everything a pipeline needs that is not in its config.
     *
     * @param checkpoints opens the model actor's checkpoint agent; null when checkpoints are off
     * @param keyStates makes the model actor's per-key states (scope = key); null with scope = pipeline
     * @param partitionDeps scope = partition: the dependencies of one partition's model (its
     *     checkpoints, metrics, drift monitor and dashboard series); null otherwise
     */
    public record Deps(Properties kafkaProperties, InputDecoder codec, Function<String, AdaptationStrategy> strategies, PipelineMetrics metrics,
            Supplier<CheckpointAgent> checkpoints, Guards.Settings guards, DriftMonitor drift, DriftActions actions, SeriesRecorder series,
            java.util.Map<String, ActorRef<ModelActor.Command>> modelRegistry, PipelineFailures failures,
            io.ctta.actors.health.PipelineStates states, OutputLimits outputLimits,
            io.ctta.runtime.model.IntraOpThreads intraOpThreads,
            Supplier<io.ctta.actors.model.KeyedStates> keyStates,
            java.util.function.IntFunction<Deps> partitionDeps) {

        /** The producers' settings: the kafka properties with ctta's producer limits. */
        public Properties producerProperties() {
            Properties p = new Properties();
            p.putAll(kafkaProperties);
            p.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(outputLimits.maxRequestSize()));
            // A record must also fit the producer's buffer (Kafka's default 32 MiB).
            p.put(org.apache.kafka.clients.producer.ProducerConfig.BUFFER_MEMORY_CONFIG,
                    String.valueOf(Math.max(32L << 20, 2L * outputLimits.maxRequestSize())));
            return p;
        }
    }

    /**
     * @param maxRequestSize the producers' {@code max.request.size} ({@code ctta.kafka.producer.max-request-size})
     * @param maxOutputBytes the largest record every output topic and the producer accept: that and
     *     the output topics' smallest {@code max.message.bytes}; every output is made to fit it
     */
    public record OutputLimits(int maxRequestSize, int maxOutputBytes) {
        public OutputLimits {
            if (maxOutputBytes > maxRequestSize || maxOutputBytes < 1) {
                throw new IllegalArgumentException("maxOutputBytes " + maxOutputBytes + " must be in 1.." + maxRequestSize);
            }
        }
    }

    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    /** How long a rewind may wait for the model actor's start (strategy creation and warm-up). */
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(20);
    /** A run that lasted this long before failing resets the backoff. */
    private static final Duration HEALTHY_RUN = Duration.ofSeconds(30);

    public static Behavior<Command> create(PipelineConf conf, Deps deps) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new PipelineSupervisor(ctx, timers, conf, deps)));
    }

    private final TimerScheduler<Command> timers;
    private final PipelineConf conf;
    private final Deps deps;
    /**
     * The pipeline's model; null in partition scope, where each partition has its own ({@link #units}),
     * and while standing by: its start claims the checkpoints, which would fence the active process.
     */
    private ActorRef<ModelActor.Command> model;
    /** Hot standby: the lease whose holder serves; null without standby (and once closed on Stop). */
    private LeaderLease lease;
    /** Hot standby: the lease was lost and the hand-over (drain, final checkpoint) completes this; null otherwise. */
    private CompletableFuture<Void> handover;
    /** A Stop that came during a hand-over: answered once the hand-over is done. */
    private ActorRef<Done> stopAfterHandover;
    private final boolean partitioned;
    /** Partition scope: the model of each partition this process serves (read by the sub-streams). */
    private final Map<TopicPartition, PartitionUnit> units = new ConcurrentHashMap<>();
    /** Partition scope: sub-streams running, and a future completed when none is. */
    private final Object bodiesLock = new Object();
    private int bodies;
    private CompletableFuture<Void> bodiesIdle = CompletableFuture.completedFuture(null);
    /** Partition scope: fails the current run when a partition's model stopped under it. */
    private SharedKillSwitch abort;
    private int unitsSpawned;
    private Consumer.DrainingControl<Done> control;
    private int generation;
    private long generationStartedNanos;
    private final PoisonRecords poison;
    /** The drift monitor and evaluator of the input stream, restored at every (re)start. */
    private final StreamState streamState;
    private Duration backoff = MIN_BACKOFF;
    private boolean stopping;
    /**
     * True from a failure until the restarted graph has served a batch (or run HEALTHY_RUN): a graph
     * that is up again is not yet running, since a crash loop brings it up between its failures.
     */
    private boolean recovering;
    /** The graph of the current generation is up. */
    private boolean streamUp;
    /** Batches served when the current generation's graph came up. */
    private long batchesAtStart;
    /** Why the last strategy creation failed, null after a success (written by the model actor's thread). */
    /**
     * Why the last strategy creation failed, or null. (A model actor whose constructor throws is
     * stopped without a ChildFailed signal, so the cause is recorded here on its way out.)
     */
    private final java.util.concurrent.atomic.AtomicReference<RuntimeException> creationFailure = new java.util.concurrent.atomic.AtomicReference<>();

    private PipelineSupervisor(ActorContext<Command> ctx, TimerScheduler<Command> timers, PipelineConf conf, Deps deps) {
        super(ctx);
        this.timers = timers;
        this.conf = conf;
        this.deps = deps;
        this.poison = new PoisonRecords(deps.guards().crashesBeforeDeadLetter());
        this.streamState = new StreamState(conf.name(), deps.drift());
        this.partitioned = conf.scope() == io.ctta.actors.config.CttaSettings.Scope.PARTITION;
        timers.startTimerWithFixedDelay(PollLag.INSTANCE, Duration.ofSeconds(2));
        if (partitioned) {
            startStream();
        } else if (conf.standby()) {
            deps.states().standby(conf.name());
            lease = LeaderLease.start(deps.kafkaProperties(), Topics.lease(conf.name()), conf.groupId() + "-lease", conf.sessionTimeout(),
                    conf.groupInstanceId().isEmpty() ? "" : conf.groupInstanceId() + "-" + conf.name() + "-lease",
                    DRAIN_LIMIT.plus(conf.askTimeout()).plusSeconds(10), new LeaseListener(ctx.getSelf()));
            getContext().getLog().info("pipeline {} stands by until it holds the lease {}", conf.name(), Topics.lease(conf.name()));
        } else {
            serve();
        }
    }

    /** Spawns the pipeline's model (it claims the checkpoints and loads the last one) and starts the graphs. */
    private void serve() {
        // A standby's next model may start before the previous one's name is free.
        // The one model of the pipeline gets a thread of its own; a partition-scoped pipeline's many
        // models share the model dispatcher's pool, which bounds how many run at once.
        model = getContext().spawn(modelBehavior(deps), conf.standby() ? "model-" + (++unitsSpawned) : "model", ModelActor.pinnedDispatcher());
        getContext().watch(model);
        deps.modelRegistry().put(conf.name(), model);
        startStream();
        startFeedback();
    }

    /** The lease's reports, turned into messages (they come on the lease's thread). */
    private record LeaseListener(ActorRef<Command> self) implements LeaderLease.Listener {
        @Override
        public void acquired() {
            self.tell(LeaseAcquired.INSTANCE);
        }

        @Override
        public CompletionStage<Void> released() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            self.tell(new LeaseReleased(done));
            return done;
        }
    }

    private Behavior<Command> onLeaseAcquired() {
        if (model == null && !stopping) {
            getContext().getLog().info("pipeline {}: holds the lease; its model starts from the last checkpoint", conf.name());
            deps.states().starting(conf.name());
            serve();
        }
        return this;
    }

    /** Drains like {@link Stop} (the final checkpoint included); {@link #handedOver} follows. */
    private Behavior<Command> onLeaseReleased(LeaseReleased r) {
        if (model == null || stopping) {
            r.done().complete(null);
            return this;
        }
        getContext().getLog().info("pipeline {}: lost the lease; hands over with a final checkpoint", conf.name());
        handover = r.done();
        return drain(null);
    }

    /** After a hand-over's final checkpoint: the model stops and the pipeline stands by again. */
    private Behavior<Command> handedOver() {
        getContext().unwatch(model);
        getContext().stop(model);
        deps.modelRegistry().remove(conf.name(), model);
        model = null;
        getContext().getLog().info("pipeline {}: handed over", conf.name());
        return standByAgain();
    }

    /**
     * The lease moved on before this process heard of it, and the next holder's claim of the
     * checkpoints stopped the model (fenced): the graphs stop undrained (nothing of theirs can be
     * committed now) and the pipeline stands by; the lease's report of the loss finds nothing to do.
     */
    private Behavior<Command> fenced() {
        getContext().getLog().warn("pipeline {}: the next lease holder claimed the checkpoints; stops serving and stands by", conf.name());
        deps.modelRegistry().remove(conf.name(), model);
        model = null;
        if (control != null) {
            control.shutdown();
        }
        if (feedback != null) {
            feedback.shutdown();
        }
        return standByAgain();
    }

    private Behavior<Command> standByAgain() {
        control = null;
        feedback = null;
        generation++; // what the drained graphs still report is about the run that ended
        stopping = false;
        recovering = false;
        streamUp = false;
        if (handover != null) {
            handover.complete(null);
            handover = null;
        }
        if (stopAfterHandover != null) {
            return onStopped(new Stopped(stopAfterHandover));
        }
        deps.states().standby(conf.name());
        timers.startTimerWithFixedDelay(PollLag.INSTANCE, Duration.ofSeconds(2));
        getContext().getLog().info("pipeline {} stands by", conf.name());
        return this;
    }

    /**
     * A model actor over {@code d}'s checkpoints. A strategy that cannot be created stops it
     * (retrying cannot help); any other failure restarts it from its checkpoint.
     */
    private Behavior<ModelActor.Command> modelBehavior(Deps d) {
        return Behaviors.supervise(Behaviors.supervise(Behaviors.intercept(
                                () -> new IntraOpThreadsInterceptor<>(d.intraOpThreads(), ModelActor.Command.class),
                                ModelActor.create(this::createStrategy, conf.strategy(), d.checkpoints(),
                                        d.guards(), new ModelActor.LabelPolicy(conf.feedback().learnInline(),
                                                conf.feedback().enabled() ? conf.feedback().joiner() : null), d.keyStates())))
                        .onFailure(StrategyCreationException.class, SupervisorStrategy.stop().withLoggingEnabled(false)))
                .onFailure(SupervisorStrategy.restart());
    }

    private Consumer.DrainingControl<Done> feedback;
    /** Measures the consumer lag; guarded by this supervisor's monitor (used from the blocking dispatcher). */
    private ConsumerLag lagMeter;
    private boolean lagInFlight;

    /** The delayed-label graph, when the pipeline consumes a feedback topic. */
    private void startFeedback() {
        if (!conf.feedback().enabled() || stopping || model == null) {
            return;
        }
        feedback = FeedbackStream.start(getContext().getSystem(), conf, deps, model);
        getContext().pipeToSelf(feedback.streamCompletion(), (d, f) -> new FeedbackEnded(f));
    }

    /**
     * Rewinds the model to its checkpoint, then starts the graph from the checkpoint's offsets.
     * With exactly-once output the checkpoint is the one the last committed transaction names,
     * read from Kafka first (blocking, so on the blocking-IO dispatcher).
     */
    private void startStream() {
        generation++;
        int gen = generation;
        if (partitioned) {
            // The last batches of the previous run's sub-streams reach the models before any rewinds.
            getContext().pipeToSelf(idle(), (v, f) -> new UnitsIdle(gen));
            return;
        }
        if (conf.output().exactlyOnce()) {
            var blocking = getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking());
            getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> CheckpointPointer.lastCommitted(deps.kafkaProperties(),
                            Topics.checkpoints(conf.name()), conf.name(), conf.askTimeout()), blocking),
                    (ptr, f) -> new PointerRead(gen, ptr, f));
            return;
        }
        rewind(gen, null);
    }

    private void rewind(int gen, Optional<CheckpointId> committed) {
        // The rewind waits behind the model actor's start, which creates the strategy: a warm-up on
        // source data (ecotta, rmt) can take minutes, and is no reason to restart the pipeline.
        Duration timeout = conf.askTimeout().compareTo(STARTUP_TIMEOUT) > 0 ? conf.askTimeout() : STARTUP_TIMEOUT;
        getContext().ask(ModelActor.Rewound.class, model, timeout, replyTo -> new ModelActor.Rewind(committed, replyTo),
                (r, f) -> new Rewound(gen, r, f));
    }

    /**
     * The strategy factory as the model actor sees it: remembers whether the last creation failed,
     * so that when the model actor stops (it does, on {@link StrategyCreationException}) the pipeline
     * knows why. Runs on the model actor's thread.
     */
    private io.ctta.runtime.adapt.AdaptationStrategy createStrategy(String name) {
        try {
            io.ctta.runtime.adapt.AdaptationStrategy s = deps.strategies().apply(name);
            creationFailure.set(null);
            return s;
        } catch (RuntimeException e) {
            creationFailure.set(e);
            throw e;
        }
    }

    /**
     * Stops without draining: the model actor is gone, so asks would never be answered. A fenced
     * owner may commit nothing either: leave the group now so the new owner gets the partitions.
     */
    private Behavior<Command> stopNow() {
        stopping = true;
        if (control != null) {
            control.shutdown();
        }
        if (feedback != null) {
            feedback.shutdown();
        }
        return Behaviors.stopped();
    }

    private Behavior<Command> onPointerRead(PointerRead p) {
        if (p.generation() != generation || stopping) {
            return this;
        }
        if (p.failure() != null) {
            scheduleRestart(p.failure());
            return this;
        }
        rewind(p.generation(), p.pointer().map(CheckpointPointer::id));
        return this;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Rewound.class, this::onRewound)
                .onMessage(PointerRead.class, this::onPointerRead)
                .onMessage(StreamEnded.class, this::onStreamEnded)
                .onMessage(Restart.class, r -> {
                    if (!stopping) {
                        deps.states().retrying(conf.name());
                        startStream();
                    }
                    return this;
                })
                .onMessage(Stop.class, this::onStop)
                .onMessage(FeedbackEnded.class, f -> {
                    if (f.failure() != null && !stopping) {
                        getContext().getLog().warn("pipeline {}: feedback stream failed, restarting in 1 s: {}", conf.name(), f.failure().toString());
                        timers.startSingleTimer(RestartFeedback.INSTANCE, Duration.ofSeconds(1));
                    }
                    return this;
                })
                .onMessage(RestartFeedback.class, r -> {
                    startFeedback();
                    return this;
                })
                .onMessage(PollLag.class, p -> {
                    checkRecovered();
                    if (!stopping && !lagInFlight && (partitioned || model != null)) {
                        lagInFlight = true;
                        var blocking = getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking());
                        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> lagMeter().measure(), blocking), (m, f) -> {
                            if (f != null) {
                                getContext().getLog().debug("pipeline {}: consumer lag not measured: {}", conf.name(), f.toString());
                            }
                            return new Lag(f == null ? m : null);
                        });
                    }
                    return this;
                })
                .onMessage(Lag.class, l -> {
                    lagInFlight = false;
                    if (l.byPartition() != null) {
                        deps.metrics().lag(l.byPartition());
                    }
                    return this;
                })
                .onMessage(Drained.class, this::onDrained)
                .onMessage(UnitsIdle.class, this::onUnitsIdle)
                .onMessage(Assign.class, this::onAssign)
                .onMessage(UnitRewound.class, this::onUnitRewound)
                .onMessage(Revoked.class, this::onRevoked)
                .onMessage(UnitFinished.class, this::onUnitFinished)
                .onMessage(UnitStopped.class, this::onUnitStopped)
                .onMessage(LeaseAcquired.class, a -> onLeaseAcquired())
                .onMessage(LeaseReleased.class, this::onLeaseReleased)
                .onMessage(Stopped.class, this::onStopped)
                .onSignal(Terminated.class, t -> {
                    if (handover != null) {
                        // Fenced during a hand-over: the next holder claimed the checkpoints already.
                        return handedOver();
                    }
                    RuntimeException failure = creationFailure.get();
                    if (failure == null && lease != null && !stopping) {
                        return fenced();
                    }
                    if (failure != null) {
                        failForGood(failure);
                    } else {
                        // Otherwise the model actor stops itself only when a newer owner took over its checkpoints.
                        getContext().getLog().error("pipeline {}: model actor stopped; the pipeline stops", conf.name());
                        deps.states().stopped(conf.name(), "its model actor stopped: a newer owner took over its checkpoints");
                    }
                    return stopNow();
                })
                .onSignal(PostStop.class, s -> {
                    closeLagMeter();
                    if (lease != null) {
                        lease.closeAsync();
                    }
                    if (control != null && !stopping) {
                        control.drainAndShutdown(getContext().getExecutionContext());
                    }
                    return this;
                })
                .build();
    }

    /** The strategy cannot be created: the pipeline stops and says why. */
    private void failForGood(RuntimeException failure) {
        String reason = new StrategyCreationException(conf.strategy(), failure).getMessage();
        if (failure instanceof IllegalArgumentException || failure instanceof io.ctta.actors.config.InvalidConfigException) {
            getContext().getLog().error("pipeline {} stops for good: {}", conf.name(), reason);
        } else {
            // Not a refusal that explains itself: keep the trace.
            getContext().getLog().error("pipeline {} stops for good: {}", conf.name(), reason, failure);
        }
        deps.states().failed(conf.name(), reason);
        deps.failures().failed(conf.name(), reason);
    }

    /** The lag meter, opened on first use (on the blocking dispatcher: it creates a Kafka admin client). */
    private synchronized ConsumerLag lagMeter() {
        if (lagMeter == null) {
            lagMeter = new ConsumerLag(deps.kafkaProperties(), conf.groupId(), conf.inputTopic(), conf.output().exactlyOnce());
        }
        return lagMeter;
    }

    private synchronized void closeLagMeter() {
        if (lagMeter != null) {
            lagMeter.close();
            lagMeter = null;
        }
    }

    private Behavior<Command> onRewound(Rewound r) {
        if (r.generation() != generation || stopping) {
            return this;
        }
        if (r.failure() != null) {
            scheduleRestart(r.failure());
            return this;
        }
        streamState.restore(r.rewound().restored());
        control = PipelineStream.start(getContext().getSystem(), conf, deps, model, r.rewound().offsets(), poison.view(), streamState);
        streamStarted();
        getContext().getLog().info("pipeline {} started (strategy {}, input {}, resuming at {})", conf.name(), conf.strategy(), conf.inputTopic(),
                r.rewound().offsets().isEmpty() ? "the group's position" : r.rewound().offsets());
        return this;
    }

    private void streamStarted() {
        int gen = generation;
        generationStartedNanos = System.nanoTime();
        streamUp = true;
        batchesAtStart = servedBatches();
        if (!recovering) {
            deps.states().running(conf.name());
        }
        getContext().pipeToSelf(control.streamCompletion(), (done, failure) -> new StreamEnded(gen, failure));
    }

    private Behavior<Command> onStreamEnded(StreamEnded ended) {
        if (ended.generation() != generation || stopping) {
            return this;
        }
        streamUp = false;
        if (ended.failure() == null) {
            getContext().getLog().info("pipeline {}: input stream completed", conf.name());
            deps.states().stopped(conf.name(), "its input stream completed");
            return this;
        }
        if (System.nanoTime() - generationStartedNanos > HEALTHY_RUN.toNanos()) {
            backoff = MIN_BACKOFF;
        }
        OutputRefusedException refused = refusal(ended.failure());
        if (refused != null) {
            poison.refused(refused.refused());
            getContext().getLog().error("pipeline {}: Kafka refused the output of {}; the next run writes each a dead letter without its value "
                    + "(and nothing if that is refused too), and the stream goes on", conf.name(), refused.refused().keySet());
        }
        BatchFailedException batchFailed = batchFailure(ended.failure());
        if (batchFailed != null) {
            poison.failed(batchFailed).ifPresent(r -> getContext().getLog().error(
                    "pipeline {}: record {} crashed the model {} times; it goes to the dead-letter topic and the stream goes on",
                    conf.name(), r, poison.crashes(r)));
        }
        scheduleRestart(ended.failure());
        return this;
    }

    private static OutputRefusedException refusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutputRefusedException r) {
                return r;
            }
        }
        return null;
    }

    private static BatchFailedException batchFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BatchFailedException b) {
                return b;
            }
        }
        return null;
    }

    /** A graph that came up again after failures is running once it served a batch or stayed up HEALTHY_RUN. */
    private void checkRecovered() {
        if (recovering && streamUp && !stopping
                && (servedBatches() > batchesAtStart || System.nanoTime() - generationStartedNanos > HEALTHY_RUN.toNanos())) {
            recovering = false;
            deps.states().running(conf.name());
        }
    }

    private long servedBatches() {
        if (partitioned) {
            return units.values().stream().mapToLong(u -> u.deps().metrics().batchLatency().count()).sum();
        }
        return deps.metrics().batchLatency().count();
    }

    private void scheduleRestart(Throwable failure) {
        streamUp = false;
        recovering = true;
        deps.states().restarting(conf.name(), failure.toString(), java.time.Instant.now().plus(backoff));
        getContext().getLog().warn("pipeline {} failed, restarting in {} ms: {}", conf.name(), backoff.toMillis(), failure.toString());
        timers.startSingleTimer(Restart.INSTANCE, backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private Behavior<Command> onStop(Stop stop) {
        if (handover != null) {
            stopAfterHandover = stop.replyTo();
            return this;
        }
        return drain(stop.replyTo());
    }

    /** Drains the graphs, then writes the final checkpoint; {@code replyTo} null: a hand-over, not a stop. */
    private Behavior<Command> drain(ActorRef<Done> replyTo) {
        stopping = true;
        timers.cancelAll();
        getContext().getLog().info("pipeline {} draining", conf.name());
        if (feedback != null) {
            feedback.drainAndShutdown(getContext().getExecutionContext());
        }
        if (control == null) {
            getContext().getSelf().tell(new Drained(replyTo));
        } else {
            // The drain is done when the graph has completed: every batch in flight produced and
            // its offsets committed. The consumer's own shutdown follows in the background; it can
            // outlive the graph (seen with pekko-connectors-kafka 1.2.0 outside the tests), so the
            // pipeline does not wait for it, and waits at most DRAIN_LIMIT for the graph.
            control.drainAndShutdown(getContext().getExecutionContext());
            getContext().pipeToSelf(control.streamCompletion().toCompletableFuture().thenApply(d -> true)
                            .completeOnTimeout(false, DRAIN_LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                    (completed, f) -> {
                        if (f != null) {
                            getContext().getLog().info("pipeline {}: input graph ended with {}", conf.name(), f.toString());
                        } else if (!Boolean.TRUE.equals(completed)) {
                            getContext().getLog().warn("pipeline {}: input graph did not complete within {} s; stopping anyway", conf.name(), DRAIN_LIMIT.toSeconds());
                        }
                        return new Drained(replyTo);
                    });
        }
        return this;
    }

    /** After the drain, the final checkpoint: everything served is in it. */
    private Behavior<Command> onDrained(Drained d) {
        if (conf.output().exactlyOnce() || partitioned || model == null) {
            // Exactly once: the drained graph already wrote the final checkpoint and committed its
            // transaction. Partition scope: each partition's sub-stream wrote its model's.
            getContext().getSelf().tell(new Stopped(d.replyTo()));
            return this;
        }
        getContext().getLog().info("pipeline {}: input graph drained; writing the final checkpoint", conf.name());
        getContext().ask(ModelActor.Persisted.class, model, conf.askTimeout(),
                replyTo -> new ModelActor.Flush(streamState.sections(), replyTo), (r, f) -> new Stopped(d.replyTo()));
        return this;
    }

    /**
     * Drained and checkpointed: a hand-over stands by again; a stop closes the lease first (the
     * next holder then finds this final checkpoint) and stops.
     */
    private Behavior<Command> onStopped(Stopped s) {
        if (s.replyTo() == null) {
            // A hand-over's end; none is pending when the model was fenced during it (handed over already).
            return handover == null ? this : handedOver();
        }
        if (lease != null) {
            LeaderLease l = lease;
            lease = null;
            getContext().pipeToSelf(l.closeAsync(), (v, f) -> s);
            return this;
        }
        getContext().getLog().info("pipeline {} drained and stopped", conf.name());
        deps.states().stopped(conf.name(), null);
        s.replyTo().tell(Done.getInstance());
        return Behaviors.stopped();
    }

    // --- partition scope ------------------------------------------------------------------------

    /** An assignment waiting for its partitions' models to rewind. */
    private static final class PendingAssign {
        final Set<TopicPartition> partitions;
        final CompletableFuture<Map<TopicPartition, Object>> reply;
        int waiting;

        PendingAssign(Set<TopicPartition> partitions, CompletableFuture<Map<TopicPartition, Object>> reply) {
            this.partitions = partitions;
            this.reply = reply;
        }
    }

    private CompletableFuture<Void> idle() {
        synchronized (bodiesLock) {
            return bodiesIdle;
        }
    }

    private Behavior<Command> onUnitsIdle(UnitsIdle i) {
        if (i.generation() != generation || stopping) {
            return this;
        }
        int gen = generation;
        abort = KillSwitches.shared("pipeline-" + conf.name() + "-" + gen);
        control = PartitionedStream.start(getContext().getSystem(), conf, deps, new Units(gen), poison.view(), abort);
        streamStarted();
        getContext().getLog().info("pipeline {} started (strategy {}, input {}, a model per assigned partition)", conf.name(), conf.strategy(),
                conf.inputTopic());
        return this;
    }

    /** The partitioned graph's view of this supervisor; everything that changes state goes through the mailbox. */
    private final class Units implements PartitionedStream.Units {
        private final int gen;
        private final ActorRef<Command> self = getContext().getSelf();

        Units(int gen) {
            this.gen = gen;
        }

        @Override
        public CompletionStage<Map<TopicPartition, Object>> assigned(Set<TopicPartition> partitions) {
            CompletableFuture<Map<TopicPartition, Object>> reply = new CompletableFuture<>();
            self.tell(new Assign(gen, Set.copyOf(partitions), reply));
            return reply;
        }

        @Override
        public void revoked(Set<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                self.tell(new Revoked(Set.copyOf(partitions)));
            }
        }

        @Override
        public void revoking(Set<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                PartitionUnit u = units.get(tp);
                if (u != null) {
                    u.revoking(true);
                    u.model().tell(ModelActor.CheckpointNow.INSTANCE);
                }
            }
        }

        @Override
        public PartitionUnit unit(TopicPartition partition) {
            PartitionUnit u = units.get(partition);
            if (u != null) {
                u.started();
            }
            return u;
        }

        @Override
        public CompletionStage<Done> finished(PartitionUnit unit) {
            if (conf.output().exactlyOnce()) {
                // The drained sub-stream's last transaction already carries the final checkpoint.
                self.tell(new UnitFinished(unit));
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            return AskPattern.<ModelActor.Command, ModelActor.Persisted>ask(unit.model(),
                            replyTo -> new ModelActor.Flush(unit.state().sections(), replyTo), conf.askTimeout(),
                            getContext().getSystem().scheduler())
                    .handle((persisted, failure) -> {
                        if (failure != null) {
                            // A new owner may have fenced this model already: its checkpoints are the newer ones.
                            getContext().getSystem().log().warn("pipeline {}: final checkpoint of {} not written: {}", conf.name(), unit.name(),
                                    failure.toString());
                        }
                        self.tell(new UnitFinished(unit));
                        return Done.getInstance();
                    });
        }

        @Override
        public void bodyStarted(PartitionUnit unit) {
            synchronized (bodiesLock) {
                if (bodies++ == 0) {
                    bodiesIdle = new CompletableFuture<>();
                }
            }
        }

        @Override
        public void bodyEnded(PartitionUnit unit) {
            synchronized (bodiesLock) {
                if (--bodies == 0) {
                    bodiesIdle.complete(null);
                }
            }
        }
    }

    /**
     * Spawns a model for each newly assigned partition (a partition that left and came back gets a
     * new one, which loads whatever its last owner checkpointed) and rewinds every model not yet
     * rewound in this run; answers where each partition is read from once all have.
     */
    private Behavior<Command> onAssign(Assign a) {
        if (a.generation() != generation || stopping) {
            a.reply().completeExceptionally(new IllegalStateException("pipeline " + conf.name() + ": the run these partitions were assigned to ended"));
            return this;
        }
        PendingAssign pending = new PendingAssign(a.partitions(), a.reply());
        List<PartitionUnit> rewind = new ArrayList<>();
        for (TopicPartition tp : a.partitions()) {
            PartitionUnit u = units.get(tp);
            if (u == null) {
                u = spawnUnit(tp);
                units.put(tp, u);
            }
            u.revoking(false);
            if (!u.rewoundIn(generation)) {
                rewind.add(u);
            }
        }
        pending.waiting = rewind.size();
        Duration timeout = conf.askTimeout().compareTo(STARTUP_TIMEOUT) > 0 ? conf.askTimeout() : STARTUP_TIMEOUT;
        int gen = generation;
        for (PartitionUnit u : rewind) {
            if (conf.output().exactlyOnce()) {
                getContext().pipeToSelf(rewindToCommitted(u, timeout), (r, f) -> new UnitRewound(gen, u, r, f, pending));
            } else {
                getContext().ask(ModelActor.Rewound.class, u.model(), timeout, replyTo -> new ModelActor.Rewind(null, replyTo),
                        (r, f) -> new UnitRewound(gen, u, r, f, pending));
            }
        }
        if (rewind.isEmpty()) {
            answer(pending);
        }
        return this;
    }

    /**
     * Exactly once: opens the partition's transactional writer first (its initTransactions fences
     * the previous owner's, which can then commit nothing more), then reads the last pointer that
     * partition's model committed and rewinds the model to the checkpoint it names.
     */
    private CompletionStage<ModelActor.Rewound> rewindToCommitted(PartitionUnit u, Duration timeout) {
        if (u.tx() != null) {
            u.tx().close();
        }
        TransactionalOutput tx = new TransactionalOutput(u.name(), Topics.checkpoints(conf.name()), conf.groupId(),
                conf.output().transactionalId() + "-p" + u.partition().partition(), u.deps().producerProperties(), u.deps().metrics());
        u.tx(tx);
        var blocking = getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        var scheduler = getContext().getSystem().scheduler();
        return tx.init()
                .thenApplyAsync(v -> CheckpointPointer.lastCommitted(deps.kafkaProperties(), Topics.checkpoints(conf.name()), u.name(),
                        conf.askTimeout()), blocking)
                .thenCompose(pointer -> AskPattern.<ModelActor.Command, ModelActor.Rewound>ask(u.model(),
                        replyTo -> new ModelActor.Rewind(pointer.map(CheckpointPointer::id), replyTo), timeout, scheduler));
    }

    private PartitionUnit spawnUnit(TopicPartition tp) {
        Deps unitDeps = deps.partitionDeps().apply(tp.partition());
        String name = conf.unitName(tp.partition());
        ActorRef<ModelActor.Command> ref = getContext().spawn(modelBehavior(unitDeps), "model-p" + tp.partition() + "-" + (++unitsSpawned),
                ModelActor.dispatcher());
        PartitionUnit u = new PartitionUnit(tp, name, unitDeps, ref);
        getContext().watchWith(ref, new UnitStopped(u));
        deps.modelRegistry().put(name, ref);
        getContext().getLog().info("pipeline {}: partition {} assigned; its model {} starts", conf.name(), tp.partition(), name);
        return u;
    }

    private Behavior<Command> onUnitRewound(UnitRewound r) {
        PendingAssign pending = r.assign();
        if (pending.reply.isDone()) {
            return this;
        }
        if (r.failure() != null || r.generation() != generation || stopping) {
            pending.reply.completeExceptionally(r.failure() != null ? r.failure() : new IllegalStateException("pipeline " + conf.name() + ": the run these partitions were assigned to ended"));
            return this;
        }
        r.unit().rewound(r.generation(), r.rewound());
        if (--pending.waiting == 0) {
            answer(pending);
        }
        return this;
    }

    private void answer(PendingAssign pending) {
        Map<TopicPartition, Object> readFrom = new HashMap<>();
        for (TopicPartition tp : pending.partitions) {
            PartitionUnit u = units.get(tp);
            Long offset = u == null ? null : u.readFrom();
            if (offset != null) {
                readFrom.put(tp, offset);
            }
        }
        getContext().getLog().info("pipeline {}: serving partitions {}, reading from {}", conf.name(),
                pending.partitions.stream().map(TopicPartition::partition).sorted().toList(), readFrom.isEmpty() ? "the group's position" : readFrom);
        pending.reply.complete(readFrom);
    }

    private Behavior<Command> onRevoked(Revoked r) {
        for (TopicPartition tp : r.partitions()) {
            PartitionUnit u = units.remove(tp);
            if (u != null) {
                u.leave();
                getContext().getLog().info("pipeline {}: partition {} revoked; its model {} hands over with its final checkpoint", conf.name(),
                        tp.partition(), u.name());
                if (u.finished() || !u.hasStarted()) {
                    // Its sub-stream wrote the final checkpoint, or never started: nothing to hand over.
                    getContext().stop(u.model());
                }
            }
        }
        return this;
    }

    private Behavior<Command> onUnitFinished(UnitFinished f) {
        f.unit().finish();
        if (f.unit().leaving()) {
            getContext().stop(f.unit().model());
        }
        return this;
    }

    private Behavior<Command> onUnitStopped(UnitStopped s) {
        PartitionUnit u = s.unit();
        deps.modelRegistry().remove(u.name(), u.model());
        boolean current = units.get(u.partition()) == u;
        if (u.leaving() || u.revoking() || stopping) {
            // Fenced by the partition's new owner (or stopped after its hand-over): its sub-stream
            // ends here; the new owner serves what it had not.
            if (current) {
                units.remove(u.partition(), u);
                u.leave();
            }
            u.handedOver();
            if (!stopping) {
                getContext().getLog().info("pipeline {}: model {} handed over", conf.name(), u.name());
            }
            return this;
        }
        if (!current) {
            return this;
        }
        units.remove(u.partition(), u);
        RuntimeException failure = creationFailure.get();
        if (failure != null) {
            failForGood(failure);
            return stopNow();
        }
        // A newer owner took over the partition's checkpoints while this process still reads it:
        // the run restarts and the group settles who owns the partition.
        getContext().getLog().warn("pipeline {}: model {} stopped while its partition was assigned here; the run restarts", conf.name(), u.name());
        if (abort != null) {
            abort.abort(new IllegalStateException("pipeline " + conf.name() + ": model " + u.name() + " stopped"));
        }
        return this;
    }
}
