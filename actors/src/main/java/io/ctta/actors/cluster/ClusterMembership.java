package io.ctta.actors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.config.CttaSettings.ClusterConf;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a ctta node is a member of a Pekko Cluster: the Pekko settings {@code ctta.cluster}
 * translates to, its address, and leaving the cluster at the end of a graceful stop.
 */
public final class ClusterMembership {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);

    /** Pekko's Split Brain Resolver, the downing provider of every ctta cluster. */
    public static final String SPLIT_BRAIN_RESOLVER = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider";

    private ClusterMembership() {}

    /**
     * The Pekko settings of a cluster member: the cluster provider, Artery (TCP) on the configured
     * host and port, the seed nodes, the roles, and the Split Brain Resolver with its strategy.
     * They take precedence over the same keys elsewhere in the file.
     */
    public static Config pekkoConfig(ClusterConf c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pekko.actor.provider", "cluster");
        m.put("pekko.remote.artery.transport", "tcp");
        m.put("pekko.remote.artery.canonical.hostname", c.hostname());
        m.put("pekko.remote.artery.canonical.port", c.port());
        m.put("pekko.cluster.seed-nodes", c.seedNodes());
        m.put("pekko.cluster.roles", c.roles());
        m.put("pekko.cluster.downing-provider-class", SPLIT_BRAIN_RESOLVER);
        m.put("pekko.cluster.split-brain-resolver.active-strategy", c.downingStrategy());
        m.put("pekko.cluster.split-brain-resolver.stable-after", c.stableAfter().toMillis() + "ms");
        return ConfigFactory.parseMap(m);
    }

    /** This member's address ({@code pekko://ctta@host:port}, the port it bound). */
    public static String address(ActorSystem<?> system) {
        return Cluster.get(Adapter.toClassic(system)).selfAddress().toString();
    }

    /**
     * Logs when this member is up, and calls {@code removedUnasked} when it is removed from the
     * cluster while {@code leaving} is false: downed by the Split Brain Resolver (or by an
     * operator), after which Pekko stops the actor system and with it every pipeline.
     */
    public static void watch(ActorSystem<?> system, java.util.function.BooleanSupplier leaving, Runnable removedUnasked) {
        Cluster cluster = Cluster.get(Adapter.toClassic(system));
        LOG.info("cluster member {} joining through seed nodes {}", cluster.selfAddress(), cluster.settings().SeedNodes());
        cluster.registerOnMemberUp(() -> LOG.info("cluster member {} is up", cluster.selfAddress()));
        cluster.registerOnMemberRemoved(() -> {
            if (!leaving.getAsBoolean()) {
                LOG.error("cluster member {} was removed from the cluster without leaving (downed): its actor system stops",
                        cluster.selfAddress());
                removedUnasked.run();
            }
        });
    }

    /**
     * Leaves the cluster and waits until this member is removed: call it after the pipelines
     * drained and wrote their final checkpoints, so the other members see it go only once its
     * partitions are free for the consumer group to hand over.
     */
    public static void leave(ActorSystem<?> system, Duration timeout) {
        Cluster cluster = Cluster.get(Adapter.toClassic(system));
        if (cluster.isTerminated() || cluster.selfMember().status() == MemberStatus.removed()) {
            // Never joined (no seed node answered) or already removed: there is nothing to leave.
            LOG.info("cluster member {} is not a member: nothing to leave", cluster.selfAddress());
            return;
        }
        CompletableFuture<Void> removed = new CompletableFuture<>();
        cluster.registerOnMemberRemoved(() -> removed.complete(null));
        cluster.leave(cluster.selfAddress());
        try {
            removed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("cluster member {} left the cluster", cluster.selfAddress());
        } catch (TimeoutException e) {
            LOG.warn("cluster member {} was not removed within {} s of leaving; stopping anyway (the others will see it unreachable, then down it)",
                    cluster.selfAddress(), timeout.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
