package io.ctta.actors.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.drift.DriftActions;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.model.Guards;
import io.ctta.runtime.feedback.JoinerSettings;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.streams.kafka.KafkaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every setting of a ctta process, read from the {@code ctta} block and validated once at startup.
 *
 * @param kafka where the brokers are
 * @param http the metrics endpoint
 * @param model which model every pipeline starts from
 * @param strategies each strategy's settings block, by name
 * @param pipelines the pipelines to run, in order
 * @param onPipelineFailure what the process does when a pipeline stops for good ({@code ctta.on-pipeline-failure})
 * @param cluster membership in a Pekko Cluster of ctta nodes ({@code ctta.cluster}); disabled by default
 */
public record CttaSettings(KafkaConf kafka, HttpConf http, ModelConf model, Config strategies, List<PipelineConf> pipelines,
        CheckpointSettings checkpoints, Guards.Settings guards, io.ctta.actors.health.FailurePolicy onPipelineFailure,
        ClusterConf cluster) {

    /** The Pekko actor system's name: the one every seed node address names. */
    public static final String SYSTEM_NAME = "ctta";

    /**
     * Membership in a Pekko Cluster (docs/scaling.md, "Running a cluster").
     *
     * @param enabled false: a single node with Pekko's local provider
     * @param hostname the address other nodes reach this node at
     * @param port the cluster (Artery) port; 0 picks a free one
     * @param seedNodes the seed nodes as Pekko addresses ({@code pekko://ctta@host:port})
     * @param roles this node's roles
     * @param askTimeout how long the cluster view and routed admin actions wait for each node
     * @param downingStrategy the Split Brain Resolver's active strategy
     * @param stableAfter how long the membership must be stable before the resolver decides
     */
    public record ClusterConf(boolean enabled, String hostname, int port, List<String> seedNodes, List<String> roles,
            Duration askTimeout, String downingStrategy, Duration stableAfter) {
        public ClusterConf {
            seedNodes = List.copyOf(seedNodes);
            roles = List.copyOf(roles);
        }

        /** The defaults: no cluster. */
        public static ClusterConf disabled() {
            return new ClusterConf(false, "127.0.0.1", 25520, List.of(), List.of(), Duration.ofSeconds(5), "keep-majority", Duration.ofSeconds(20));
        }
    }

    /** The smallest {@code ctta.kafka.producer.max-request-size}: room for any dead letter's ctta.dlq.* headers. */
    public static final int MIN_REQUEST_SIZE = 16 * 1024;

    /**
     * Kafka connection: empty bootstrap servers means the embedded broker.
     *
     * @param clientProperties {@code ctta.kafka.client-properties}, flattened to Kafka's dotted keys
     *     ({@code sasl.jaas.config} whether written nested or quoted); passed to every client
     * @param embeddedDataDir {@code ctta.kafka.embedded.data-dir}, null for a temporary directory
     * @param embeddedPort {@code ctta.kafka.embedded.port}, the embedded broker's client port; 0 picks a free one
     * @param maxRequestSize {@code ctta.kafka.producer.max-request-size}: the pipelines' producers'
     *     {@code max.request.size}, the largest record they send; outputs and dead letters are made
     *     to fit it
     */
    public record KafkaConf(String bootstrapServers, Map<String, String> clientProperties, Path embeddedDataDir, int embeddedPort,
            int embeddedPartitions, int maxRequestSize) {
        public boolean embedded() {
            return bootstrapServers.isBlank();
        }

        @Override
        public String toString() {
            // Never print a password or JAAS line: secret values are replaced, keys stay visible.
            Map<String, String> shown = new java.util.TreeMap<>();
            clientProperties.forEach((k, v) -> shown.put(k, KafkaSettings.isSecret(k) ? "[redacted]" : v));
            return "KafkaConf[bootstrapServers=" + bootstrapServers + ", clientProperties=" + shown
                    + ", embeddedDataDir=" + embeddedDataDir + ", embeddedPort=" + embeddedPort + ", embeddedPartitions=" + embeddedPartitions
                    + ", maxRequestSize=" + maxRequestSize + "]";
        }
    }

    /** The HTTP endpoint. */
    public record HttpConf(boolean enabled, String host, int port, String adminToken) {
        @Override
        public String toString() {
            // Never print the token.
            return "HttpConf[enabled=" + enabled + ", host=" + host + ", port=" + port + ", adminToken=" + (adminToken.isEmpty() ? "" : "***") + "]";
        }
    }

    /** The model every pipeline starts from. */
    public record ModelConf(String kind, Path path, Path weights, String device, long seed, String sourceData, int sourceSamples,
            Path root, String sha256, int intraOpThreadsSetting, boolean channelsLast) {

        /** With {@code intra-op-threads = 0} (auto). */
        public ModelConf(String kind, Path path, Path weights, String device, long seed, String sourceData, int sourceSamples,
                Path root, String sha256) {
            this(kind, path, weights, device, seed, sourceData, sourceSamples, root, sha256, 0);
        }

        /** With {@code channels-last = true} (the default). */
        public ModelConf(String kind, Path path, Path weights, String device, long seed, String sourceData, int sourceSamples,
                Path root, String sha256, int intraOpThreadsSetting) {
            this(kind, path, weights, device, seed, sourceData, sourceSamples, root, sha256, intraOpThreadsSetting, true);
        }

        /**
         * The threads one libtorch operator may use on a model actor's thread: the configured
         * {@code ctta.model.intra-op-threads}, or with 0 (auto) the cores shared among the
         * pipelines, so that all of them adapting at once do not oversubscribe the cores.
         */
        public io.ctta.runtime.model.IntraOpThreads intraOpThreads(int pipelines) {
            return intraOpThreadsSetting > 0 ? new io.ctta.runtime.model.IntraOpThreads(intraOpThreadsSetting)
                    : io.ctta.runtime.model.IntraOpThreads.shareOfThisMachine(Math.max(1, pipelines));
        }
    }

    /** One pipeline: an input topic, a strategy, batching and limits. */
    public record PipelineConf(
            String name,
            String inputTopic,
            String strategy,
            String groupId,
            int batchSize,
            Duration maxLatency,
            int maxRecordBytes,
            Duration askTimeout,
            String autoOffsetReset,
            Duration sessionTimeout,
            String groupInstanceId,
            Config strategySettings,
            DriftConf drift,
            FeedbackConf feedback,
            OutputConf output,
            Scope scope,
            KeyStatesConf keyStates,
            boolean standby) {

        /** The name a partition's model goes by (checkpoints, metrics, admin) in {@link Scope#PARTITION}. */
        public String unitName(int partition) {
            return name + "-p" + partition;
        }
    }

    /** What one adaptation state serves (docs/scopes.md). */
    public enum Scope {
        /** One model and state for every partition of the input topic. */
        PIPELINE,
        /** One model (strategy state, checkpoint, metrics tag) per input partition, handed over on rebalance (docs/scaling.md). */
        PARTITION,
        /** One state per record key over one shared network. */
        KEY
    }

    /**
     * The per-key states of a pipeline with {@code scope = key}.
     *
     * @param maxResident states held in memory at most
     * @param dir where evicted states are written for this pipeline; null: a temporary directory (no checkpoints)
     */
    public record KeyStatesConf(int maxResident, Path dir) {}

    /** How a pipeline's outputs reach Kafka (docs/operations.md, "Output modes"). */
    public enum OutputMode {
        /** Produced with idempotence; a crash may produce a record's prediction again (same partition, offset, model version). */
        AT_LEAST_ONCE,
        /** Predictions, the checkpoint pointer and the consumer offsets in one Kafka transaction per checkpoint. */
        EXACTLY_ONCE
    }

    /**
     * @param mode at-least-once or exactly-once
     * @param transactionInterval exactly-once: a checkpoint, and with it a transaction commit, at
     *     least this often; it is how long read-committed consumers wait for a prediction
     * @param transactionalId exactly-once: the producer's transactional.id (one per pipeline)
     */
    public record OutputConf(OutputMode mode, Duration transactionInterval, String transactionalId) {
        public boolean exactlyOnce() {
            return mode == OutputMode.EXACTLY_ONCE;
        }
    }

    /**
     * How a pipeline uses labels.
     *
     * @param learnInline learn from labels inline in input records (else only score them)
     * @param enabled consume delayed labels from {@code topic}
     */
    public record FeedbackConf(boolean learnInline, boolean enabled, String topic, JoinerSettings joiner, int batchSize, Duration maxLatency) {}

    /** A pipeline's drift detectors and what a drift triggers. */
    public record DriftConf(List<DriftMonitor.Spec> detectors, DriftActions.Kind action, String switchTo, Duration cooldown) {}

    /** Loads {@code reference.conf} defaults under the given user config and validates it, strategy settings included. */
    public static CttaSettings load(Config user, StrategyRegistry strategies) {
        Config full = user.withFallback(ConfigFactory.defaultReference()).resolve();
        return fromConfig(full.getConfig("ctta"), strategies);
    }

    /** As {@link #load(Config, StrategyRegistry)} when only the strategies' names are known. */
    public static CttaSettings load(Config user, Predicate<String> knownStrategy, Set<String> strategyNames) {
        Config full = user.withFallback(ConfigFactory.defaultReference()).resolve();
        return fromConfig(full.getConfig("ctta"), knownStrategy, strategyNames);
    }

    /**
     * Validates a resolved {@code ctta} block in one pass: every component's settings through its
     * declarations ({@link CttaSchema}), unknown keys (with the nearest declared one), and every
     * pipeline's effective strategy settings and drift detector settings.
     *
     * @throws InvalidConfigException listing every problem, the first one's key as {@link InvalidConfigException#key()}
     */
    public static CttaSettings fromConfig(Config c, StrategyRegistry strategies) {
        return new CttaSettingsReader(strategies.names()::contains, strategies.names(), strategies).read(c);
    }

    /** Valid settings and how many declared settings the pass checked ({@code ctta config check}). */
    public record Checked(CttaSettings settings, int settingsChecked) {}

    /** As {@link #fromConfig(Config, StrategyRegistry)}, also counting the settings checked. */
    public static Checked check(Config c, StrategyRegistry strategies) {
        CttaSettingsReader reader = new CttaSettingsReader(strategies.names()::contains, strategies.names(), strategies);
        CttaSettings settings = reader.read(c);
        return new Checked(settings, reader.checkedCount());
    }

    /**
     * As {@link #fromConfig(Config, StrategyRegistry)} when only the strategies' names are known:
     * their settings are then checked when each strategy is created.
     *
     * @param knownStrategy tells whether a strategy name is registered
     * @param strategyNames the registered names, for the error message
     */
    public static CttaSettings fromConfig(Config c, Predicate<String> knownStrategy, Set<String> strategyNames) {
        return new CttaSettingsReader(knownStrategy, strategyNames, null).read(c);
    }
}
