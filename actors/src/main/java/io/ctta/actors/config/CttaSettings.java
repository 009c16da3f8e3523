package io.ctta.actors.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.ctta.actors.drift.DriftActions;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.model.Guards;
import io.ctta.runtime.drift.DriftDetectors;
import io.ctta.runtime.feedback.JoinerSettings;
import io.ctta.runtime.drift.DriftSignal;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.streams.kafka.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Every setting of a ctta process, read from the {@code ctta} block and validated once at startup.
 *
 * @param kafka where the brokers are
 * @param http the metrics endpoint
 * @param model which model every pipeline starts from
 * @param strategies each strategy's settings block, by name
 * @param pipelines the pipelines to run, in order
 * @param onPipelineFailure what the process does when a pipeline stops for good ({@code ctta.on-pipeline-failure})
 */
public record CttaSettings(KafkaConf kafka, HttpConf http, ModelConf model, Config strategies, List<PipelineConf> pipelines,
        CheckpointSettings checkpoints, Guards.Settings guards, io.ctta.actors.health.FailurePolicy onPipelineFailure) {

    /** The smallest {@code ctta.kafka.producer.max-request-size}: room for any dead letter's ctta.dlq.* headers. */
    public static final int MIN_REQUEST_SIZE = 16 * 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,100}");

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
            Path root, String sha256, int intraOpThreadsSetting) {

        /** With {@code intra-op-threads = 0} (auto). */
        public ModelConf(String kind, Path path, Path weights, String device, long seed, String sourceData, int sourceSamples,
                Path root, String sha256) {
            this(kind, path, weights, device, seed, sourceData, sourceSamples, root, sha256, 0);
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
            Config strategySettings,
            DriftConf drift,
            FeedbackConf feedback,
            OutputConf output) {}

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

    /** Loads {@code reference.conf} defaults under the given user config and validates it. */
    public static CttaSettings load(Config user, Predicate<String> knownStrategy, Set<String> strategyNames) {
        Config full = user.withFallback(ConfigFactory.defaultReference()).resolve();
        return fromConfig(full.getConfig("ctta"), knownStrategy, strategyNames);
    }

    /**
     * Validates a resolved {@code ctta} block.
     *
     * @param knownStrategy tells whether a strategy name is registered
     * @param strategyNames the registered names, for the error message
     * @throws InvalidConfigException naming the first bad key
     */
    public static CttaSettings fromConfig(Config c, Predicate<String> knownStrategy, Set<String> strategyNames) {
        Settings s = new Settings(c, "ctta");

        Settings k = new Settings(s.sub("kafka"), "ctta.kafka");
        String bootstrap = k.string("bootstrap-servers").trim();
        if (!bootstrap.isEmpty()) {
            for (String hp : bootstrap.split(",")) {
                if (!hp.trim().matches("[^:\\s]+:\\d{1,5}")) {
                    throw new InvalidConfigException("ctta.kafka.bootstrap-servers", bootstrap, "host:port[,host:port...]");
                }
            }
        }
        Map<String, String> clientProps = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : k.sub("client-properties").entrySet()) {
            // entrySet() gives path expressions: a quoted key ("sasl.jaas.config", as --kafka-property
            // writes it) comes back with its quotes, a nested one unquoted; Kafka wants the plain dotted name.
            clientProps.put(String.join(".", ConfigUtil.splitPath(e.getKey())), String.valueOf(e.getValue().unwrapped()));
        }
        Settings emb = new Settings(k.sub("embedded"), "ctta.kafka.embedded");
        String dataDir = emb.string("data-dir");
        Settings prod = new Settings(k.sub("producer"), "ctta.kafka.producer");
        KafkaConf kafka = new KafkaConf(bootstrap, Map.copyOf(clientProps),
                dataDir.isBlank() ? null : Path.of(dataDir), emb.intBetween("port", 0, 65535), emb.intBetween("partitions", 1, 1024),
                // Below 16 KiB a dead letter's own headers (reason, source, marks) might not fit.
                prod.intBetween("max-request-size", MIN_REQUEST_SIZE, 256 * 1024 * 1024));

        Settings h = new Settings(s.sub("http"), "ctta.http");
        String token = h.string("admin-token");
        if (!token.isEmpty() && token.length() < 16) {
            throw new InvalidConfigException("ctta.http.admin-token", "(hidden, " + token.length() + " characters)", "at least 16 characters, or empty to refuse admin actions");
        }
        HttpConf http = new HttpConf(h.bool("enabled"), h.string("host"), h.intBetween("port", 0, 65535), token);

        Settings m = new Settings(s.sub("model"), "ctta.model");
        String kind = modelKind(m);
        String path = m.string("path");
        if (kind.equals("torchscript") && path.isBlank()) {
            throw new InvalidConfigException("ctta.model.path", path, "the TorchScript file to load when ctta.model.kind = torchscript");
        }
        String device = m.string("device");
        if (!device.matches("cpu|auto|gpu:\\d+")) {
            throw new InvalidConfigException("ctta.model.device", device, "cpu, gpu:N or auto");
        }
        String weights = m.string("weights");
        if (kind.equals("builtin-resnet") && weights.isBlank()) {
            throw new InvalidConfigException("ctta.model.weights", weights, "the parameter file ctta train wrote (with its"
                    + " description FILE.params.json beside it) when ctta.model.kind = builtin-resnet");
        }
        ModelConf model = new ModelConf(kind, path.isBlank() ? null : Path.of(path),
                weights.isBlank() ? null : Path.of(weights), device, m.longValue("seed"),
                m.string("source-data").trim(), m.intBetween("source-samples", 1, 10_000_000),
                m.string("root").isBlank() ? null : Path.of(m.string("root")), m.string("sha256").trim(),
                m.intBetween("intra-op-threads", 0, 1024));
        if (!model.sha256().isEmpty() && !model.sha256().matches("[0-9a-fA-F]{64}")) {
            throw new InvalidConfigException("ctta.model.sha256", model.sha256(), "64 hexadecimal digits (the SHA-256 of the model file), or empty");
        }

        Config strategies = s.sub("strategies");
        for (String name : strategies.root().keySet()) {
            if (!knownStrategy.test(name)) {
                throw new InvalidConfigException("ctta.strategies." + name, name, "a registered strategy: " + String.join(", ", strategyNames));
            }
        }

        Config defaults = s.sub("pipeline-defaults");
        List<PipelineConf> pipelines = new ArrayList<>();
        List<? extends Config> list;
        try {
            list = c.getConfigList("pipelines");
        } catch (ConfigException e) {
            throw new InvalidConfigException("ctta.pipelines", "expected a list of { name = ..., input-topic = ..., strategy = ... }", e);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String prefix = "ctta.pipelines[" + i + "]";
            Config pc = list.get(i).withFallback(defaults);
            PipelineConf p = pipeline(new Settings(pc, prefix), prefix, strategies, knownStrategy, strategyNames);
            if (!names.add(p.name())) {
                throw new InvalidConfigException(prefix + ".name", p.name(), "a name no other pipeline uses");
            }
            pipelines.add(p);
        }
        CheckpointSettings checkpoints;
        try {
            checkpoints = CheckpointSettings.fromConfig(c.atPath("ctta"), "ctta.checkpoints");
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("ctta.checkpoints", e.getMessage(), e);
        }
        for (int i = 0; i < pipelines.size(); i++) {
            if (pipelines.get(i).output().exactlyOnce() && !checkpoints.enabled()) {
                throw new InvalidConfigException("ctta.pipelines[" + i + "].output.mode", "exactly-once",
                        "at-least-once, or set ctta.checkpoints.dir: exactly-once output resumes from the checkpoint its last transaction names");
            }
        }
        Settings g = new Settings(s.sub("guards"), "ctta.guards");
        Settings col = new Settings(g.sub("collapse"), "ctta.guards.collapse");
        if (s.sub("guards").hasPath("collapse.entropy-ema-threshold")) {
            throw new InvalidConfigException("ctta.guards.collapse.entropy-ema-threshold",
                    s.sub("guards").getValue("collapse.entropy-ema-threshold").unwrapped(),
                    "the renamed key ctta.guards.collapse.relative-entropy-threshold: the threshold is now a fraction of"
                            + " ln(classes) (0.029 is SAR's 0.2 nats at 1,000 classes, 0.067 nats at 10)");
        }
        double threshold = col.positiveDouble("relative-entropy-threshold");
        double momentum = col.positiveDouble("ema-momentum");
        if (momentum >= 1) {
            throw new InvalidConfigException("ctta.guards.collapse.ema-momentum", momentum, "a number in (0, 1)");
        }
        Guards.Settings guards = new Guards.Settings(g.intBetween("max-diverged-in-a-row", 1, 1_000_000), col.bool("enabled"),
                threshold, momentum, col.intBetween("cooldown-batches", 0, 1_000_000_000), g.intBetween("crashes-before-dead-letter", 1, 1000));
        io.ctta.actors.health.FailurePolicy onPipelineFailure = io.ctta.actors.health.FailurePolicy.fromConfigName(
                s.oneOf("on-pipeline-failure", "exit", "keep-running"));
        return new CttaSettings(kafka, http, model, strategies, List.copyOf(pipelines), checkpoints, guards, onPipelineFailure);
    }

    private static FeedbackConf feedback(Settings f, String prefix, String pipeline) {
        String topic = f.string("topic").trim();
        if (topic.isEmpty()) {
            topic = io.ctta.streams.record.Topics.feedback(pipeline);
        } else if (!NAME.matcher(topic).matches()) {
            throw new InvalidConfigException(prefix + ".topic", topic, "a Kafka topic name");
        }
        JoinerSettings joiner;
        try {
            joiner = JoinerSettings.fromConfig(f.sub(""), prefix);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(prefix, e.getMessage(), e);
        }
        return new FeedbackConf(f.oneOf("inline-labels", "learn", "score").equals("learn"), f.bool("enabled"), topic, joiner,
                f.intBetween("batch-size", 1, 65536), f.positiveDuration("max-latency"));
    }

    /** {@code ctta.model.kind}: a named kind, or a built-in MLP {@code mlp:<in>-<h1>-...-<out>} checked here. */
    private static String modelKind(Settings m) {
        String kind = m.string("kind");
        if (!io.ctta.runtime.model.Mlp.Architecture.isMlpKind(kind)) {
            return m.oneOf("kind", "builtin-cnn", "builtin-resnet", "torchscript", "mlp:<inputs>-<hidden>-...-<classes>");
        }
        try {
            io.ctta.runtime.model.Mlp.Architecture.parse(kind);
            return kind;
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("ctta.model.kind", kind, "mlp:<inputs>-<hidden>-...-<classes> with positive"
                    + " widths and at least 2 classes, e.g. mlp:784-300-150-10");
        }
    }

    private static DriftConf drift(Settings d, String prefix, Predicate<String> known, Set<String> strategyNames) {
        List<DriftMonitor.Spec> specs = new ArrayList<>();
        List<? extends Config> list;
        try {
            list = d.sub("").hasPath("detectors") ? d.list("detectors") : List.of();
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + ".detectors", "expected a list of { detector = ..., signal = ... }", e);
        }
        for (int j = 0; j < list.size(); j++) {
            String key = prefix + ".detectors[" + j + "]";
            Settings one = new Settings(list.get(j), key);
            String detector = one.oneOf("detector", DriftDetectors.NAMES.toArray(String[]::new));
            DriftSignal signal;
            try {
                signal = DriftSignal.fromWireName(one.string("signal"));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(key + ".signal", one.string("signal"), "one of entropy, confidence, error, input");
            }
            Config settings = one.has("settings") ? one.sub("settings") : ConfigFactory.empty();
            try {
                DriftDetectors.create(detector, settings, 0, key + ".settings");
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(key + ".settings", e.getMessage(), e);
            }
            boolean vector = signal == DriftSignal.INPUT || signal == DriftSignal.EMBEDDING;
            boolean multivariate = detector.equals("ks") || detector.equals("mmd");
            if (vector != multivariate || signal == DriftSignal.EMBEDDING) {
                throw new InvalidConfigException(key + ".signal", signal.wireName(),
                        multivariate ? "input (ks and mmd test vectors)" : "entropy, confidence or error (" + detector + " watches a number)");
            }
            specs.add(new DriftMonitor.Spec(detector, signal, settings));
        }
        DriftActions.Kind action;
        String a = d.oneOf("action", "none", "reset", "switch-strategy", "snapshot");
        action = DriftActions.Kind.valueOf(a.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        String switchTo = d.string("switch-to");
        if (action == DriftActions.Kind.SWITCH_STRATEGY && !known.test(switchTo)) {
            throw new InvalidConfigException(prefix + ".switch-to", switchTo, "one of " + String.join(", ", strategyNames));
        }
        return new DriftConf(List.copyOf(specs), action, switchTo, d.positiveDuration("cooldown"));
    }

    private static PipelineConf pipeline(Settings p, String prefix, Config strategies, Predicate<String> known, Set<String> strategyNames) {
        String name = p.string("name");
        if (!NAME.matcher(name).matches()) {
            throw new InvalidConfigException(prefix + ".name", name, "letters, digits, '.', '_' or '-' (it prefixes topic names)");
        }
        String input = p.string("input-topic");
        if (!NAME.matcher(input).matches()) {
            throw new InvalidConfigException(prefix + ".input-topic", input, "a Kafka topic name (letters, digits, '.', '_', '-')");
        }
        String strategy = p.string("strategy");
        if (!known.test(strategy)) {
            throw new InvalidConfigException(prefix + ".strategy", strategy, "one of " + String.join(", ", strategyNames));
        }
        String group = p.string("group-id");
        Config own = p.sub("strategy-settings");
        // Quoted: strategy names such as sgd+spectral are not valid HOCON path expressions.
        String path = com.typesafe.config.ConfigUtil.joinPath(strategy);
        Config base = strategies.hasPath(path) ? strategies.getConfig(path) : ConfigFactory.empty();
        return new PipelineConf(
                name,
                input,
                strategy,
                group.isBlank() ? "ctta-" + name : group,
                p.intBetween("batch-size", 1, 65536),
                p.positiveDuration("max-latency"),
                p.intBetween("max-record-bytes", 64, 256 * 1024 * 1024),
                p.positiveDuration("ask-timeout"),
                p.oneOf("auto-offset-reset", "earliest", "latest"),
                p.positiveDuration("session-timeout"),
                own.withFallback(base),
                drift(new Settings(p.sub("drift"), prefix + ".drift"), prefix + ".drift", known, strategyNames),
                feedback(new Settings(p.sub("feedback"), prefix + ".feedback"), prefix + ".feedback", name),
                output(new Settings(p.sub("output"), prefix + ".output"), prefix + ".output", name));
    }

    private static OutputConf output(Settings o, String prefix, String pipeline) {
        OutputMode mode = OutputMode.valueOf(o.oneOf("mode", "at-least-once", "exactly-once").toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        String id = o.string("transactional-id").trim();
        if (id.isEmpty()) {
            id = "ctta-" + pipeline;
        } else if (!NAME.matcher(id).matches()) {
            throw new InvalidConfigException(prefix + ".transactional-id", id, "letters, digits, '.', '_' or '-'");
        }
        return new OutputConf(mode, o.positiveDuration("transaction-interval"), id);
    }
}
