package io.ctta.actors.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster as every node's HTTP endpoint shows it ({@code /api/cluster}) and routes admin
 * actions through it: the members as Pekko's membership knows them, and what each node runs, asked
 * of every node agent the Receptionist lists, each within the ask timeout. A member whose agent
 * does not answer in time stays in the view, marked as not answering. With the cluster disabled
 * the view holds this node alone.
 */
public final class ClusterView {

    /**
     * One member of the cluster.
     *
     * @param status Pekko's member status (Joining, Up, Leaving, Exiting, ...); Up for a single node
     * @param reachable whether the failure detector reaches it
     * @param view what its agent answered; null when it did not answer
     * @param error why {@code view} is null
     */
    public record Node(String address, String status, List<String> roles, boolean reachable, NodeView view, String error) {}

    /** The answers to a routed admin action: every agent that answered, and the nodes that did not. */
    public record Routed(List<ActResult> answered, List<String> silent) {
        /** The nodes that acted. */
        public List<String> acted() {
            return answered.stream().filter(ActResult::acted).map(ActResult::address).toList();
        }
    }

    /** The status of a node whose agent answers but that is not a member (it has not joined, or was removed). */
    public static final String NOT_A_MEMBER = "NotMember";

    private final ActorSystem<?> system;
    private final ActorRef<NodeAgent.Command> localAgent;
    private final boolean clustered;
    private final Duration timeout;
    private final String self;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param localAgent this node's agent
     * @param clustered whether the system runs Pekko's cluster provider
     * @param timeout how long to wait for the Receptionist and for each agent
     * @param self this node's address, as its agent names it
     */
    public ClusterView(ActorSystem<?> system, ActorRef<NodeAgent.Command> localAgent, boolean clustered, Duration timeout, String self) {
        this.system = system;
        this.localAgent = localAgent;
        this.clustered = clustered;
        this.timeout = timeout;
        this.self = self;
    }

    /** This node's address. */
    public String self() {
        return self;
    }

    /** Every member, in address order, with what its agent answered. */
    public CompletionStage<List<Node>> nodes() {
        return agents().thenCompose(agents -> {
            Map<String, CompletableFuture<NodeView>> asked = new LinkedHashMap<>();
            for (ActorRef<NodeAgent.Command> a : agents) {
                asked.put(addressOf(a), AskPattern.<NodeAgent.Command, NodeView>ask(a, NodeAgent.Describe::new, timeout, system.scheduler())
                        .toCompletableFuture().exceptionally(e -> null));
            }
            return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<Node> nodes = new ArrayList<>();
                for (Node m : members()) {
                    CompletableFuture<NodeView> f = asked.remove(m.address());
                    NodeView v = f == null ? null : f.join();
                    nodes.add(new Node(m.address(), m.status(), m.roles(), m.reachable(), v,
                            v != null ? null : f == null ? "no node agent registered" : "no answer within " + timeout.toMillis() + " ms"));
                }
                // Agents of nodes that are not members (this node before it joined, or after it was
                // removed): listed too, so a node never hides itself.
                asked.forEach((address, f) -> nodes.add(new Node(address, NOT_A_MEMBER, List.of(), true, f.join(),
                        f.join() != null ? null : "no answer within " + timeout.toMillis() + " ms")));
                return nodes;
            });
        });
    }

    /** The body of {@code GET /api/cluster}. */
    public CompletionStage<String> json() {
        return nodes().thenApply(nodes -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("self", self);
            out.put("clustered", clustered);
            List<Object> list = new ArrayList<>();
            for (Node n : nodes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("address", n.address());
                m.put("self", n.address().equals(self));
                m.put("status", n.status());
                m.put("roles", n.roles());
                m.put("reachable", n.reachable());
                m.put("answered", n.view() != null);
                m.put("error", n.error());
                m.put("models", n.view() == null ? List.of() : n.view().models());
                list.add(m);
            }
            out.put("nodes", list);
            try {
                return json.writeValueAsString(out);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Asks every node's agent to pass {@code action} to its models of {@code pipeline} (and {@code partition}). */
    public CompletionStage<Routed> act(String pipeline, Integer partition, AdminAction action) {
        return agents().thenCompose(agents -> {
            Map<String, CompletableFuture<ActResult>> asked = new LinkedHashMap<>();
            for (ActorRef<NodeAgent.Command> a : agents) {
                asked.put(addressOf(a), AskPattern.<NodeAgent.Command, ActResult>ask(a,
                        r -> new NodeAgent.Act(pipeline, partition, action, self, r), timeout, system.scheduler())
                        .toCompletableFuture().exceptionally(e -> null));
            }
            return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<ActResult> answered = new ArrayList<>();
                List<String> silent = new ArrayList<>();
                asked.forEach((address, f) -> {
                    if (f.join() == null) {
                        silent.add(address);
                    } else {
                        answered.add(f.join());
                    }
                });
                return new Routed(answered, silent);
            });
        });
    }

    /**
     * Every node's agent the Receptionist lists, and this node's own: a node that has not joined
     * (or whose registration has not spread yet) still answers for itself.
     */
    private CompletionStage<java.util.Collection<ActorRef<NodeAgent.Command>>> agents() {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        r -> Receptionist.find(NodeAgent.KEY, r), timeout, system.scheduler())
                .thenApply(l -> {
                    Map<String, ActorRef<NodeAgent.Command>> byAddress = new LinkedHashMap<>();
                    byAddress.put(self, localAgent);
                    l.getServiceInstances(NodeAgent.KEY).forEach(a -> byAddress.putIfAbsent(addressOf(a), a));
                    return byAddress.values();
                });
    }

    /** An agent's node: a local reference carries no host, it is this node. */
    private String addressOf(ActorRef<?> agent) {
        var a = agent.path().address();
        return a.hasLocalScope() ? self : a.toString();
    }

    /** The members as this node's membership state has them (without views); this node alone without a cluster. */
    private List<Node> members() {
        if (!clustered) {
            return List.of(new Node(self, "Up", List.of(), true, null, null));
        }
        var state = Cluster.get(system).state();
        Set<Member> unreachable = state.getUnreachable();
        List<Node> out = new ArrayList<>();
        state.getMembers().forEach(m -> out.add(new Node(m.address().toString(), m.status().toString(), roles(m.getRoles()),
                !unreachable.contains(m), null, null)));
        out.sort((x, y) -> x.address().compareTo(y.address()));
        return out;
    }

    /** The configured roles: Pekko adds the data-center role (dc-...) to every member. */
    private static List<String> roles(Set<String> roles) {
        return roles.stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
    }
}
