package io.ctta.actors.config;

import io.ctta.actors.model.Guards;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.runtime.config.Setting;
import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.drift.DriftDetectors;
import io.ctta.runtime.feedback.JoinerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The declarations of every setting in the {@code ctta} block: each block's keys, types, defaults,
 * ranges and docs, written once. {@link CttaSettings} reads through them, {@code ctta config
 * defaults} prints them, and a test holds reference.conf to them. Strategies and drift detectors
 * declare their own settings ({@link StrategyProvider#settingsSchema()},
 * {@link DriftDetectors#schema(String)}); checkpoints and the feedback joiner theirs in runtime.
 */
public final class CttaSchema {

    private CttaSchema() {
    }

    // --- ctta.kafka -------------------------------------------------------------------------
    static final Setting<String> BOOTSTRAP = Setting.string("bootstrap-servers", "",
            "host:port[,host:port...] of a Kafka cluster; empty: start an embedded single-node KRaft broker");
    static final Setting<Map<String, Object>> CLIENT_PROPERTIES = Setting.block("client-properties",
            "passed unchanged to every Kafka client (security.protocol, sasl.*, ssl.*); values are never logged");
    static final Setting<String> EMBEDDED_DATA_DIR = Setting.string("data-dir", "",
            "where the embedded broker keeps its log; empty: a temporary directory removed on exit");
    static final Setting<Integer> EMBEDDED_PORT = Setting.integer("port", 9092, 0, 65535,
            "the embedded broker's client port on 127.0.0.1, the same after every restart; 0 picks a free port at each start");
    static final Setting<Integer> EMBEDDED_PARTITIONS = Setting.integer("partitions", 1, 1, 1024,
            "partitions of topics the runtime creates on the embedded broker");
    static final SettingsSchema EMBEDDED = SettingsSchema.builder("the embedded broker (when bootstrap-servers is empty)")
            .add(EMBEDDED_DATA_DIR).add(EMBEDDED_PORT).add(EMBEDDED_PARTITIONS).build();
    // Below 16 KiB a dead letter's own headers (reason, source, marks) might not fit.
    static final Setting<Integer> MAX_REQUEST_SIZE = Setting.integer("max-request-size", 1_048_576, CttaSettings.MIN_REQUEST_SIZE,
            256 * 1024 * 1024, "Kafka's max.request.size of the pipelines' producers: the largest record they send; every output"
                    + " and dead letter is made to fit it, and topics ctta creates get it as max.message.bytes");
    static final SettingsSchema PRODUCER = SettingsSchema.builder("the pipelines' producers (predictions, dead letters, events)")
            .add(MAX_REQUEST_SIZE).build();
    static final SettingsSchema KAFKA = SettingsSchema.builder("where the brokers are")
            .add(BOOTSTRAP).add(CLIENT_PROPERTIES).child("producer", PRODUCER).child("embedded", EMBEDDED).build();

    // --- ctta.http --------------------------------------------------------------------------
    static final Setting<String> HTTP_HOST = Setting.string("host", "127.0.0.1", "address of the metrics and dashboard endpoint");
    static final Setting<Integer> HTTP_PORT = Setting.integer("port", 9464, 0, 65535, "its port; 0 picks a free one (printed at startup)");
    static final Setting<Boolean> HTTP_ENABLED = Setting.bool("enabled", true, "serve /metrics, the dashboard and the admin actions");
    static final Setting<String> ADMIN_TOKEN = Setting.string("admin-token", "",
            "bearer token of the admin actions, at least 16 characters; empty: admin actions refused (prefer ${?CTTA_ADMIN_TOKEN})");
    static final SettingsSchema HTTP = SettingsSchema.builder("the HTTP endpoint")
            .add(HTTP_HOST).add(HTTP_PORT).add(HTTP_ENABLED).add(ADMIN_TOKEN).build();

    // --- ctta.cluster -----------------------------------------------------------------------
    static final Setting<Boolean> CLUSTER_ENABLED = Setting.bool("enabled", false,
            "join a Pekko Cluster of ctta nodes (docs/scaling.md, Running a cluster); false: a single node, as before");
    static final Setting<String> CLUSTER_HOSTNAME = Setting.string("hostname", "127.0.0.1",
            "the address the other nodes reach this node's cluster port at (Artery's canonical hostname)");
    static final Setting<Integer> CLUSTER_PORT = Setting.integer("port", 25520, 0, 65535,
            "this node's cluster port (Artery over TCP); 0 picks a free one, for a node that is no seed node");
    static final Setting<List<Object>> SEED_NODES = Setting.list("seed-nodes", List.of(),
            "host:port of the nodes a starting node joins through, the same list on every node (its first entry forms"
                    + " the cluster); at least one when enabled");
    static final Setting<List<Object>> ROLES = Setting.list("roles", List.of(),
            "this node's roles (names), listed in /api/cluster, e.g. [gpu, zone-a]");
    static final Setting<Duration> CLUSTER_ASK_TIMEOUT = Setting.positiveDuration("ask-timeout", Duration.ofSeconds(5),
            "how long /api/cluster and a routed admin action wait for each node; one that does not answer is listed as not answering");
    static final Setting<String> DOWNING_STRATEGY = Setting.oneOf("strategy", "keep-majority",
            "the Split Brain Resolver's strategy: keep-majority (the side with more nodes stays), keep-oldest, or down-all",
            "keep-majority", "keep-oldest", "down-all");
    static final Setting<Duration> STABLE_AFTER = Setting.positiveDuration("stable-after", Duration.ofSeconds(20),
            "how long the membership must stay unchanged while nodes are unreachable before the resolver downs a side");
    static final SettingsSchema DOWNING = SettingsSchema.builder("downing of unreachable nodes: Pekko's Split Brain Resolver")
            .add(DOWNING_STRATEGY).add(STABLE_AFTER).build();
    static final SettingsSchema CLUSTER = SettingsSchema.builder("a Pekko Cluster of ctta nodes")
            .add(CLUSTER_ENABLED).add(CLUSTER_HOSTNAME).add(CLUSTER_PORT).add(SEED_NODES).add(ROLES).add(CLUSTER_ASK_TIMEOUT)
            .child("downing", DOWNING).build();

    // --- ctta.model -------------------------------------------------------------------------
    static final Setting<String> MODEL_KIND = Setting.string("kind", "builtin-cnn",
            "builtin-cnn (28x28 grayscale, 10 classes), builtin-resnet (needs weights), torchscript (needs path), or"
                    + " mlp:<in>-<h1>-...-<out> (a fully connected ReLU network on flat vectors)")
            .where(CttaSchema::isModelKind, "one of builtin-cnn, builtin-resnet, torchscript, or mlp:<inputs>-<hidden>-...-<classes>"
                    + " with positive widths and at least 2 classes, e.g. mlp:784-300-150-10");
    static final Setting<String> MODEL_PATH = Setting.string("path", "", "the TorchScript file (kind = torchscript), with FILE.json beside it");
    static final Setting<String> MODEL_ROOT = Setting.string("root", "",
            "when set, path and weights must resolve inside this directory (no .., no link leading out)");
    static final Setting<String> MODEL_SHA256 = Setting.string("sha256", "",
            "when set, the SHA-256 (64 hex digits) the model file must have");
    static final Setting<String> MODEL_WEIGHTS = Setting.string("weights", "",
            "parameters file with the trained source weights; empty: train (demo) or the seeded initialisation (run)");
    static final Setting<String> MODEL_DEVICE = Setting.string("device", "cpu", "cpu, gpu:N or auto")
            .where(d -> d.matches("cpu|auto|gpu:\\d+"), "cpu, gpu:N or auto");
    static final Setting<Long> MODEL_SEED = Setting.longInteger("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE, "seeds initialisation and every strategy's randomness");
    static final Setting<String> SOURCE_DATA = Setting.string("source-data", "",
            "labelled clean samples for strategies that warm up or replay source data: empty, fashion-mnist, fashion-mnist-rgb[:DIR], a directory, or FORMAT:PATH");
    static final Setting<Integer> SOURCE_SAMPLES = Setting.integer("source-samples", 10_000, 1, 10_000_000,
            "at most this many source samples (the first ones) are loaded");
    static final Setting<Integer> INTRA_OP_THREADS = Setting.integer("intra-op-threads", 0, 0, 1024,
            "threads one libtorch operator may use on a model actor's thread; 0: the machine's cores shared among the pipelines (at least 1)");
    static final Setting<Boolean> CHANNELS_LAST = Setting.bool("channels-last", true,
            "a TorchScript model with nothing trainable (source, norm, teachers) runs its convolutions channels-last (NHWC): the same values, faster");
    static final SettingsSchema MODEL = SettingsSchema.builder("the model every pipeline starts from")
            .add(MODEL_KIND).add(MODEL_PATH).add(MODEL_ROOT).add(MODEL_SHA256).add(MODEL_WEIGHTS).add(MODEL_DEVICE)
            .add(MODEL_SEED).add(SOURCE_DATA).add(SOURCE_SAMPLES).add(INTRA_OP_THREADS).add(CHANNELS_LAST).build();

    // --- ctta.guards (defaults from Guards.Settings.defaults(), which tests and tools use too) --
    private static final Guards.Settings GUARD_DEFAULTS = Guards.Settings.defaults();
    static final Setting<Integer> MAX_DIVERGED = Setting.integer("max-diverged-in-a-row", GUARD_DEFAULTS.maxDivergedInARow(), 1, 1_000_000,
            "consecutive steps with a non-finite loss or gradient before rolling back to the last checkpoint");
    static final Setting<Integer> CRASHES_BEFORE_DEAD_LETTER = Setting.integer("crashes-before-dead-letter", GUARD_DEFAULTS.crashesBeforeDeadLetter(), 1, 1000,
            "a record that crashed the model actor this many times goes to the dead-letter topic");
    static final Setting<Boolean> COLLAPSE_ENABLED = Setting.bool("enabled", GUARD_DEFAULTS.collapseEnabled(),
            "reset to the source weights when the EMA of the batch mean entropy collapses");
    static final Setting<Double> COLLAPSE_THRESHOLD = Setting.number("relative-entropy-threshold", GUARD_DEFAULTS.relativeEntropyThreshold(),
            "the collapse threshold, a fraction of ln(classes) nats (SAR's 0.2 nats at 1,000 classes)").where(v -> v > 0, "a positive number");
    static final Setting<Double> COLLAPSE_MOMENTUM = Setting.number("ema-momentum", GUARD_DEFAULTS.emaMomentum(), "momentum of the entropy EMA")
            .where(v -> v > 0 && v < 1, "a number in (0, 1)");
    static final Setting<Integer> COLLAPSE_COOLDOWN = Setting.integer("cooldown-batches", GUARD_DEFAULTS.cooldownBatches(), 0, 1_000_000_000,
            "batches after a reset before another one may happen");
    static final SettingsSchema COLLAPSE = SettingsSchema.builder("collapse detection (SAR's model recovery)")
            .add(COLLAPSE_ENABLED).add(COLLAPSE_THRESHOLD).add(COLLAPSE_MOMENTUM).add(COLLAPSE_COOLDOWN).build();
    static final SettingsSchema GUARDS = SettingsSchema.builder("what undoes adaptation that went wrong")
            .add(MAX_DIVERGED).add(CRASHES_BEFORE_DEAD_LETTER).child("collapse", COLLAPSE).build();

    // --- a pipeline ---------------------------------------------------------------------------
    static final Setting<String> PIPELINE_NAME = Setting.required("name", "the pipeline's name; it prefixes its topics");
    static final Setting<String> INPUT_TOPIC = Setting.required("input-topic", "the Kafka topic records are read from");
    static final Setting<String> STRATEGY = Setting.string("strategy", "source", "the adaptation strategy (ctta.strategies.<name> holds its settings)");
    static final Setting<String> GROUP_ID = Setting.string("group-id", "", "consumer group; empty: ctta-<pipeline name>");
    static final Setting<Integer> BATCH_SIZE = Setting.integer("batch-size", 64, 1, 65536,
            "micro-batch: emit when this many records arrived or max-latency passed");
    static final Setting<Duration> MAX_LATENCY = Setting.positiveDuration("max-latency", Duration.ofMillis(50),
            "the longest a record waits for its micro-batch");
    static final Setting<Integer> MAX_RECORD_BYTES = Setting.integer("max-record-bytes", 1_048_576, 64, 256 * 1024 * 1024,
            "larger records are dead-lettered before they are decoded");
    static final Setting<Duration> ASK_TIMEOUT = Setting.positiveDuration("ask-timeout", Duration.ofSeconds(60),
            "how long a batch may take in the model actor before the stream fails and restarts");
    static final Setting<String> AUTO_OFFSET_RESET = Setting.oneOf("auto-offset-reset", "earliest",
            "where a new consumer group starts", "earliest", "latest");
    static final Setting<Duration> SESSION_TIMEOUT = Setting.positiveDuration("session-timeout", Duration.ofSeconds(15),
            "how long the group waits for a silent consumer before giving its partitions to another");
    static final Setting<String> GROUP_INSTANCE_ID = Setting.string("group-instance-id", "",
            "static group membership (Kafka's group.instance.id), one stable name per process, e.g. the host name: a process"
                    + " killed and restarted takes its partitions back at once instead of after session-timeout; empty: dynamic membership")
            .where(v -> v.isEmpty() || v.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}"), "empty, or letters, digits, '.', '_' or '-'");
    static final Setting<Map<String, Object>> STRATEGY_SETTINGS = Setting.block("strategy-settings",
            "this pipeline's overrides of ctta.strategies.<strategy>");

    static final Setting<String> SCOPE = Setting.oneOf("scope", "pipeline",
            "what one model or adaptation state serves: pipeline (one model for the whole input topic), partition (one model,"
                    + " checkpoint and metrics tag per input partition, handed over with its checkpoint when the consumer group moves the"
                    + " partition; needs checkpoints; docs/scaling.md), or key (one state per record key over one shared network, for"
                    + " strategies whose state is small: source, norm, tent, ecotta; docs/scopes.md)",
            "pipeline", "partition", "key");
    static final Setting<Boolean> STANDBY = Setting.bool("standby", false,
            "scope = pipeline: hot standby; processes started with the same config hold a lease (a one-partition topic"
                    + " <pipeline>.lease in group <group-id>-lease) and only its holder serves, the others stand by and take over"
                    + " from the last checkpoint when it leaves or dies; needs checkpoints (docs/scaling.md)");
    static final Setting<Integer> MAX_RESIDENT = Setting.integer("max-resident", 1000, 1, 100_000_000,
            "scope = key: key states held in memory at most; the least recently used one is written to key-states.dir and read back on its key's next record");
    static final Setting<String> KEY_STATES_DIR = Setting.string("dir", "",
            "scope = key: where evicted key states are written (one sub-directory per pipeline); empty: <ctta.checkpoints.dir>/<pipeline>/key-states,"
                    + " or a temporary directory without checkpoints; must be set with ctta.checkpoints.store = kafka");
    static final SettingsSchema KEY_STATES = SettingsSchema.builder("scope = key: the per-key states (docs/scopes.md)")
            .add(MAX_RESIDENT).add(KEY_STATES_DIR).build();

    static final Setting<String> OUTPUT_MODE = Setting.oneOf("mode", "at-least-once",
            "at-least-once, or exactly-once (one Kafka transaction per checkpoint; needs ctta.checkpoints.dir or store = kafka)",
            "at-least-once", "exactly-once");
    static final Setting<Duration> TRANSACTION_INTERVAL = Setting.positiveDuration("transaction-interval", Duration.ofSeconds(1),
            "exactly-once: a checkpoint and its transaction at least this often (the visibility delay)");
    static final Setting<String> TRANSACTIONAL_ID = Setting.string("transactional-id", "",
            "exactly-once: the producer's transactional.id; empty: ctta-<pipeline name>");
    static final SettingsSchema OUTPUT = SettingsSchema.builder("how outputs reach Kafka (docs/operations.md, Output modes)")
            .add(OUTPUT_MODE).add(TRANSACTION_INTERVAL).add(TRANSACTIONAL_ID).build();

    static final Setting<String> INLINE_LABELS = Setting.oneOf("inline-labels", "learn",
            "a label inline in an input record is learned from (learn) or only scored (score)", "learn", "score");
    static final Setting<Boolean> FEEDBACK_ENABLED = Setting.bool("enabled", false, "consume delayed labels from the feedback topic");
    static final Setting<String> FEEDBACK_TOPIC = Setting.string("topic", "", "the feedback topic; empty: <pipeline>.feedback");
    static final Setting<Integer> FEEDBACK_BATCH_SIZE = Setting.integer("batch-size", 64, 1, 65536, "labels per feedback batch");
    static final Setting<Duration> FEEDBACK_MAX_LATENCY = Setting.positiveDuration("max-latency", Duration.ofMillis(200),
            "the longest a label waits for its feedback batch");
    static final SettingsSchema FEEDBACK = SettingsSchema.builder("labels (docs/feedback.md)")
            .add(INLINE_LABELS).add(FEEDBACK_ENABLED).add(FEEDBACK_TOPIC).addAll(JoinerSettings.SCHEMA)
            .add(FEEDBACK_BATCH_SIZE).add(FEEDBACK_MAX_LATENCY).build();

    static final Setting<List<Object>> DETECTORS = Setting.list("detectors", List.of(
                    Map.of("detector", "page-hinkley", "signal", "entropy"),
                    Map.of("detector", "ddm", "signal", "error"),
                    Map.of("detector", "ks", "signal", "input")),
            "each { detector = adwin|page-hinkley|ddm|ks|mmd, signal = entropy|confidence|error|input, settings { ... } }");
    static final Setting<String> DRIFT_ACTION = Setting.oneOf("action", "none",
            "what a drift triggers: nothing, reset to the source weights, switch-strategy to switch-to, or a snapshot checkpoint",
            "none", "reset", "switch-strategy", "snapshot");
    static final Setting<String> SWITCH_TO = Setting.string("switch-to", "source", "the strategy switch-strategy switches to");
    static final Setting<Duration> DRIFT_COOLDOWN = Setting.positiveDuration("cooldown", Duration.ofSeconds(60),
            "no second action within this long of the last one");
    static final SettingsSchema DRIFT = SettingsSchema.builder("drift detection (docs/drift.md)")
            .add(DETECTORS).add(DRIFT_ACTION).add(SWITCH_TO).add(DRIFT_COOLDOWN).build();

    /** One element of {@code drift.detectors}. */
    static final Setting<String> DETECTOR = Setting.oneOf("detector", "page-hinkley", "the detector",
            DriftDetectors.NAMES.toArray(String[]::new));
    static final Setting<String> SIGNAL = Setting.oneOf("signal", "entropy", "the signal it watches",
            "entropy", "confidence", "error", "input");
    static final Setting<Map<String, Object>> DETECTOR_SETTINGS = Setting.block("settings", "overrides of the detector's defaults");
    static final SettingsSchema DETECTOR_ENTRY = SettingsSchema.builder("one drift detector")
            .add(DETECTOR.requiredCopy()).add(SIGNAL.requiredCopy()).add(DETECTOR_SETTINGS).build();

    /** What every pipeline inherits ({@code pipeline-defaults}). */
    static final SettingsSchema PIPELINE_DEFAULTS = SettingsSchema.builder("defaults every pipeline inherits")
            .add(STRATEGY).add(GROUP_ID).add(BATCH_SIZE).add(MAX_LATENCY).add(MAX_RECORD_BYTES).add(ASK_TIMEOUT)
            .add(AUTO_OFFSET_RESET).add(SESSION_TIMEOUT).add(GROUP_INSTANCE_ID).add(STRATEGY_SETTINGS).add(SCOPE).add(STANDBY)
            .child("key-states", KEY_STATES).child("output", OUTPUT).child("feedback", FEEDBACK).child("drift", DRIFT).build();

    /** One element of {@code pipelines}: a name and an input topic, and any key of pipeline-defaults. */
    static final SettingsSchema PIPELINE = SettingsSchema.builder("one pipeline")
            .add(PIPELINE_NAME).add(INPUT_TOPIC).addAll(PIPELINE_DEFAULTS).build();

    static final Setting<List<Object>> PIPELINES = Setting.list("pipelines", List.of(),
            "one entry per pipeline: { name = ..., input-topic = ..., strategy = ... } plus any key of pipeline-defaults");

    // --- process-wide -------------------------------------------------------------------------
    static final Setting<String> ON_PIPELINE_FAILURE = Setting.oneOf("on-pipeline-failure", "exit",
            "when a pipeline stops for good: exit (the others stop, ctta run exits 4) or keep-running (/health/ready answers 503)",
            "exit", "keep-running");

    /** The settings directly in the {@code ctta} block (not in a nested block). */
    static final SettingsSchema TOP_LEVEL = SettingsSchema.builder("process-wide settings")
            .add(PIPELINES).add(ON_PIPELINE_FAILURE).build();

    /**
     * The whole {@code ctta} block: every component's settings, and under {@code strategies} each
     * registered strategy's own (those that declare settings).
     */
    public static SettingsSchema root(StrategyRegistry strategies) {
        return SettingsSchema.builder("every setting of a ctta process")
                .child("kafka", KAFKA)
                .child("http", HTTP)
                .child("cluster", CLUSTER)
                .child("model", MODEL)
                .child("checkpoints", CheckpointSettings.SCHEMA)
                .child("guards", GUARDS)
                .child("strategies", strategiesSchema(strategies))
                .child("pipeline-defaults", PIPELINE_DEFAULTS)
                .addAll(TOP_LEVEL)
                .build();
    }

    /** A named model kind, or a built-in MLP whose architecture parses. */
    private static boolean isModelKind(String kind) {
        if (!io.ctta.runtime.model.Mlp.Architecture.isMlpKind(kind)) {
            return List.of("builtin-cnn", "builtin-resnet", "torchscript").contains(kind);
        }
        try {
            io.ctta.runtime.model.Mlp.Architecture.parse(kind);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code ctta.strategies}: one block per registered strategy that declares its settings. */
    static SettingsSchema strategiesSchema(StrategyRegistry strategies) {
        SettingsSchema.Builder b = SettingsSchema.builder("each strategy's settings, by name; a pipeline overrides them in strategy-settings");
        if (strategies != null) {
            for (String name : strategies.names()) {
                SettingsSchema s = strategies.provider(name).settingsSchema();
                if (s != null) {
                    b.child(name, s);
                }
            }
        }
        return b.build();
    }

    /**
     * Every declaration for people ({@code ctta config defaults}): the ctta block, what a pipeline
     * entry adds to pipeline-defaults, a drift detector entry and each detector's settings.
     */
    public static io.ctta.runtime.config.SettingsListing listing(StrategyRegistry strategies) {
        io.ctta.runtime.config.SettingsListing listing = new io.ctta.runtime.config.SettingsListing()
                .add("ctta", root(strategies))
                .add("ctta.pipelines[i]", SettingsSchema.builder("a pipeline entry: these two, and any key of ctta.pipeline-defaults")
                        .add(PIPELINE_NAME).add(INPUT_TOPIC).build())
                .add("drift.detectors[j]", "drift.detectors[j] (of a pipeline or pipeline-defaults): " + DETECTOR_ENTRY.doc(), DETECTOR_ENTRY);
        for (String name : DriftDetectors.NAMES) {
            SettingsSchema d = DriftDetectors.schema(name);
            listing.add("drift.detectors[j].settings", "drift.detectors[j].settings when detector = " + name + ": " + d.doc(), d);
        }
        return listing;
    }

    /** Every drift detector's settings, by name (documentation; pipelines name them in drift.detectors). */
    public static SettingsSchema detectorsSchema() {
        SettingsSchema.Builder b = SettingsSchema.builder("drift detectors' settings (a detector entry's settings block)");
        for (String name : DriftDetectors.NAMES) {
            b.child(name, DriftDetectors.schema(name));
        }
        return b.build();
    }
}
