package io.ctta.actors.pipeline;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.actors.model.ModelActor;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.streams.serde.RecordCodec;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.kafka.javadsl.Consumer;

/**
 * Runs one pipeline: spawns its model actor on the model dispatcher, starts the Kafka graph, and
 * restarts the graph with exponential backoff when it fails (uncommitted records are then served
 * again). {@link Stop} drains the graph: batches in flight are produced and committed first.
 */
public final class PipelineSupervisor extends AbstractBehavior<PipelineSupervisor.Command> {

    /** What a pipeline supervisor accepts. */
    public sealed interface Command permits Stop, StreamEnded, Restart, Stopped {}

    /** Drain and stop the pipeline; {@code replyTo} gets {@link Done} when it has. */
    public record Stop(ActorRef<Done> replyTo) implements Command {}

    private record StreamEnded(int generation, Throwable failure) implements Command {}

    private enum Restart implements Command {
        INSTANCE
    }

    private record Stopped(ActorRef<Done> replyTo) implements Command {}

    /** Everything a pipeline needs that is not in its config. */
    public record Deps(Properties kafkaProperties, RecordCodec codec, Supplier<AdaptationStrategy> strategyFactory, PipelineMetrics metrics) {}

    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    public static Behavior<Command> create(PipelineConf conf, Deps deps) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new PipelineSupervisor(ctx, timers, conf, deps)));
    }

    private final TimerScheduler<Command> timers;
    private final PipelineConf conf;
    private final Deps deps;
    private final ActorRef<ModelActor.Command> model;
    private Consumer.DrainingControl<Done> control;
    private int generation;
    private Duration backoff = MIN_BACKOFF;
    private boolean stopping;

    private PipelineSupervisor(ActorContext<Command> ctx, TimerScheduler<Command> timers, PipelineConf conf, Deps deps) {
        super(ctx);
        this.timers = timers;
        this.conf = conf;
        this.deps = deps;
        this.model = ctx.spawn(
                Behaviors.supervise(ModelActor.create(deps.strategyFactory())).onFailure(SupervisorStrategy.restart()),
                "model",
                ModelActor.dispatcher());
        startStream();
    }

    private void startStream() {
        generation++;
        int gen = generation;
        control = PipelineStream.start(getContext().getSystem(), conf, deps.kafkaProperties(), deps.codec(), model, deps.metrics());
        getContext().pipeToSelf(control.streamCompletion(), (done, failure) -> new StreamEnded(gen, failure));
        getContext().getLog().info("pipeline {} started (strategy {}, input {})", conf.name(), conf.strategy(), conf.inputTopic());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamEnded.class, this::onStreamEnded)
                .onMessage(Restart.class, r -> {
                    if (!stopping) {
                        startStream();
                    }
                    return this;
                })
                .onMessage(Stop.class, this::onStop)
                .onMessage(Stopped.class, s -> {
                    getContext().getLog().info("pipeline {} drained and stopped", conf.name());
                    s.replyTo().tell(Done.getInstance());
                    return Behaviors.stopped();
                })
                .onSignal(PostStop.class, s -> {
                    if (control != null && !stopping) {
                        control.drainAndShutdown(getContext().getExecutionContext());
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onStreamEnded(StreamEnded ended) {
        if (ended.generation() != generation || stopping) {
            return this;
        }
        if (ended.failure() == null) {
            getContext().getLog().info("pipeline {}: input stream completed", conf.name());
            return this;
        }
        getContext().getLog().warn("pipeline {} failed, restarting in {} ms: {}", conf.name(), backoff.toMillis(), ended.failure().toString());
        timers.startSingleTimer(Restart.INSTANCE, backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        return this;
    }

    private Behavior<Command> onStop(Stop stop) {
        stopping = true;
        timers.cancelAll();
        getContext().getLog().info("pipeline {} draining", conf.name());
        getContext().pipeToSelf(control.drainAndShutdown(getContext().getExecutionContext()), (d, f) -> new Stopped(stop.replyTo()));
        return this;
    }
}
