package io.ctta.actors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Creates the topics a pipeline reads and writes when they do not exist yet. This is the runtime's
 * first contact with Kafka, so it starts with {@link KafkaPreflight}: a wrong password or an
 * unreachable cluster fails the start with a clear error instead of clients retrying forever.
 */
public final class TopicAdmin {

    private TopicAdmin() {}

    /** Checks the connection, then creates the missing topics with {@code partitions} partitions each. */
    public static void ensure(Properties kafka, Collection<String> topics, int partitions) {
        // The runtime's first contact with Kafka: a bad password or address fails here, clearly.
        KafkaPreflight.check(kafka);
        ensure(kafka, topics, partitions, Map.of());
    }

    /**
     * The smallest {@code max.message.bytes} among {@code topics} (the broker's default where a
     * topic does not override it): the largest record batch every one of them accepts.
     */
    static int maxMessageBytes(Properties kafka, Collection<String> topics) {
        try (Admin admin = Admin.create(kafka)) {
            List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = describeWhenKnown(admin, resources);
            int min = Integer.MAX_VALUE;
            for (Config c : configs.values()) {
                ConfigEntry e = c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (e != null && e.value() != null) {
                    min = Math.min(min, Integer.parseInt(e.value()));
                }
            }
            return min;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading topic configs", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read max.message.bytes of " + topics + ": " + e.getMessage(), e);
        }
    }

    /**
     * Topics created a moment ago may not have reached every broker's metadata yet, and
     * describeConfigs answers UnknownTopicOrPartition until they have: retried for up to 30 s.
     */
    private static Map<ConfigResource, Config> describeWhenKnown(Admin admin, List<ConfigResource> resources)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** With topic configs (e.g. cleanup.policy); the broker's default replication factor. */
    static void ensure(Properties kafka, Collection<String> topics, int partitions, Map<String, String> configs) {
        if (topics.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(kafka)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, Optional.of(partitions), Optional.empty()).configs(configs));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + topics + " on " + kafka.getProperty("bootstrap.servers") + ": " + e.getMessage(), e);
        }
    }
}
