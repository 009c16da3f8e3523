package io.ctta.actors.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One per node: registered with the Receptionist under {@link #KEY}, so that every node finds
 * every other node's agent (docs/scaling.md, "Running a cluster", says why the Receptionist and not
 * Cluster Sharding). It describes what this node runs and passes admin actions to this node's
 * model actors. It never blocks: the description is read from the pipelines' registries, and the
 * group assignments are polled on the blocking dispatcher.
 */
public final class NodeAgent extends AbstractBehavior<NodeAgent.Command> {

    /** The Receptionist key every node's agent registers under. */
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "ctta-node-agent");

    /** How often the group coordinator is asked which partitions this node's consumers hold. */
    static final Duration ASSIGNMENT_POLL = Duration.ofSeconds(3);

    /** What an agent accepts; {@link Describe} and {@link Act} may come from any node. */
    public sealed interface Command extends ClusterMessage permits Describe, Act, Poll, Polled {}

    /** Answer with this node's {@link NodeView}. */
    public record Describe(ActorRef<NodeView> replyTo) implements Command {}

    /**
     * Pass {@code action} to this node's models of {@code pipeline} (of {@code partition} only,
     * when not null) and answer whether any got it.
     *
     * @param via the node whose HTTP endpoint took the request
     */
    public record Act(String pipeline, Integer partition, AdminAction action, String via, ActorRef<ActResult> replyTo) implements Command {}

    private enum Poll implements Command { INSTANCE }

    private record Polled(Map<String, List<Integer>> assigned) implements Command {}

    /**
     * @param address this node's address, as replies name it
     * @param assignments reads this node's partition assignments; null when no pipeline has static membership
     */
    public static Behavior<Command> create(String address, LocalNode node, GroupAssignments assignments) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new NodeAgent(ctx, timers, address, node, assignments)));
    }

    private final String address;
    private final LocalNode node;
    private final GroupAssignments assignments;
    private final Executor blocking;
    private Map<String, List<Integer>> assigned = Map.of();
    private boolean polling;

    private NodeAgent(ActorContext<Command> ctx, TimerScheduler<Command> timers, String address, LocalNode node, GroupAssignments assignments) {
        super(ctx);
        // Built inside setup and withTimers: without this its log lines would name Pekko's ActorCell.
        ctx.setLoggerName(NodeAgent.class);
        this.address = address;
        this.node = node;
        this.assignments = assignments;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
        if (assignments != null) {
            ctx.getSelf().tell(Poll.INSTANCE);
            timers.startTimerWithFixedDelay(Poll.INSTANCE, ASSIGNMENT_POLL);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Describe.class, d -> {
                    d.replyTo().tell(new NodeView(address, node.describe(assigned)));
                    return this;
                })
                .onMessage(Act.class, this::onAct)
                .onMessage(Poll.class, p -> {
                    if (!polling) {
                        polling = true;
                        getContext().pipeToSelf(CompletableFuture.supplyAsync(assignments::poll, blocking), (a, failure) -> {
                            if (failure != null) {
                                getContext().getLog().debug("partition assignments not read: {}", failure.toString());
                            }
                            return new Polled(failure == null ? a : null);
                        });
                    }
                    return this;
                })
                .onMessage(Polled.class, p -> {
                    polling = false;
                    if (p.assigned() != null) {
                        assigned = Map.copyOf(p.assigned());
                    }
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    if (assignments != null) {
                        // An admin client closes in milliseconds; the node is stopping anyway.
                        assignments.close();
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onAct(Act a) {
        List<LocalModels.Model> targets = node.targets(a.pipeline(), a.partition(), assigned);
        String cause = a.via() == null || a.via().equals(address) ? "admin request" : "admin request via " + a.via();
        for (LocalModels.Model m : targets) {
            // Admin actions change a live model: the acting node's log says which, what, and who asked.
            getContext().getLog().info("pipeline {}{}: {}: {}", m.pipeline(), m.partition() == null ? "" : " partition " + m.partition(),
                    cause, a.action().describe());
            m.ref().tell(a.action().toCommand(cause));
        }
        a.replyTo().tell(new ActResult(address, !targets.isEmpty(), targets.size()));
        return this;
    }
}
