package io.ctta.actors;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.pipeline.PipelineSupervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The root actor: one {@link PipelineSupervisor} per configured pipeline, and an orderly stop that
 * drains every pipeline before the system terminates.
 */
public final class RuntimeGuardian extends AbstractBehavior<RuntimeGuardian.Command> {

    /** What the guardian accepts. */
    public sealed interface Command permits StopAll, AllStopped {}

    /** Drain every pipeline; {@code replyTo} gets {@link Done} when all have stopped. */
    public record StopAll(Duration timeout, ActorRef<Done> replyTo) implements Command {}

    /** A pipeline's config with what it needs at run time. */
    public record Pipeline(PipelineConf conf, PipelineSupervisor.Deps deps) {}

    private record AllStopped(ActorRef<Done> replyTo) implements Command {}

    /**
     * @param pipelines each pipeline with the dependencies it needs, in config order
     */
    public static Behavior<Command> create(List<Pipeline> pipelines) {
        return Behaviors.setup(ctx -> new RuntimeGuardian(ctx, pipelines));
    }

    private final List<ActorRef<PipelineSupervisor.Command>> supervisors = new ArrayList<>();
    private final java.util.Map<ActorRef<?>, Pipeline> pipelineOf = new java.util.HashMap<>();
    /**
     * Completed when a supervisor has terminated: a pipeline that stopped for good a moment before a
     * StopAll never answers the Stop sent to it (its Terminated signal may still be on its way), and
     * the drain must not wait out the ask's timeout for it.
     */
    private final java.util.Map<ActorRef<?>, CompletableFuture<Object>> terminated = new java.util.HashMap<>();

    private RuntimeGuardian(ActorContext<Command> ctx, List<Pipeline> pipelines) {
        super(ctx);
        for (Pipeline p : pipelines) {
            ActorRef<PipelineSupervisor.Command> s = ctx.spawn(PipelineSupervisor.create(p.conf(), p.deps()),
                    "pipeline-" + p.conf().name());
            ctx.watch(s);
            supervisors.add(s);
            pipelineOf.put(s, p);
            terminated.put(s, new CompletableFuture<>());
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StopAll.class, this::onStopAll)
                .onMessage(AllStopped.class, m -> {
                    m.replyTo().tell(Done.getInstance());
                    return this;
                })
                // A pipeline that stopped for good has nothing left to drain.
                .onSignal(Terminated.class, t -> {
                    supervisors.remove(t.getRef());
                    CompletableFuture<Object> gone = terminated.get(t.getRef());
                    if (gone != null) {
                        gone.complete(Done.getInstance());
                    }
                    Pipeline p = pipelineOf.remove(t.getRef());
                    if (t instanceof ChildFailed f && p != null) {
                        // A supervisor that crashed (rather than stopped) leaves its pipeline dead:
                        // the command that runs it must hear of it, not keep running with exit 0.
                        getContext().getLog().error("pipeline {}: its supervisor failed", p.conf().name(), f.getCause());
                        p.deps().states().failed(p.conf().name(), "its supervisor failed: " + f.getCause());
                        p.deps().failures().failed(p.conf().name(), "its supervisor failed: " + f.getCause());
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onStopAll(StopAll stop) {
        var system = getContext().getSystem();
        CompletableFuture<?>[] all = supervisors.stream()
                .map(s -> CompletableFuture.anyOf(
                        AskPattern.<PipelineSupervisor.Command, Done>ask(s, PipelineSupervisor.Stop::new, stop.timeout(), system.scheduler()).toCompletableFuture(),
                        terminated.get(s)))
                .toArray(CompletableFuture[]::new);
        getContext().pipeToSelf(CompletableFuture.allOf(all), (ok, failure) -> new AllStopped(stop.replyTo()));
        return this;
    }
}
