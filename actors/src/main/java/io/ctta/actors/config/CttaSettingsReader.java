package io.ctta.actors.config;

import static io.ctta.actors.config.CttaSchema.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.ctta.actors.config.CttaSettings.DriftConf;
import io.ctta.actors.config.CttaSettings.FeedbackConf;
import io.ctta.actors.config.CttaSettings.HttpConf;
import io.ctta.actors.config.CttaSettings.KafkaConf;
import io.ctta.actors.config.CttaSettings.ModelConf;
import io.ctta.actors.config.CttaSettings.OutputConf;
import io.ctta.actors.config.CttaSettings.OutputMode;
import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.drift.DriftActions;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.model.Guards;
import io.ctta.runtime.adapt.StrategyProvider;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategySettingsCheck;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.runtime.config.ConfigProblems;
import io.ctta.runtime.config.ConfigReader;
import io.ctta.runtime.config.DidYouMean;
import io.ctta.runtime.config.SettingValues;
import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.drift.DriftDetectors;
import io.ctta.runtime.drift.DriftSignal;
import io.ctta.runtime.feedback.JoinerSettings;
import io.ctta.streams.record.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One validation pass over a resolved {@code ctta} block: reads every component through its
 * declarations ({@link CttaSchema}, checkpoints, joiner, each strategy's and detector's), checks
 * what spans several settings, and collects every problem, so that a user sees them all at once.
 * One instance per pass.
 */
final class CttaSettingsReader {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,100}");
    private static final String LEGACY_COLLAPSE_KEY = "entropy-ema-threshold";

    private final Predicate<String> knownStrategy;
    private final Set<String> strategyNames;
    private final StrategyRegistry registry;
    private final ConfigProblems problems = new ConfigProblems();

    /** @param registry the strategies whose settings are checked too; null checks only their names */
    CttaSettingsReader(Predicate<String> knownStrategy, Set<String> strategyNames, StrategyRegistry registry) {
        this.knownStrategy = knownStrategy;
        this.strategyNames = strategyNames;
        this.registry = registry;
    }

    /** How many declared settings the last {@link #read} checked. */
    int checkedCount() {
        return problems.checkedCount();
    }

    /** @throws InvalidConfigException listing every problem found */
    CttaSettings read(Config c) {
        Config block = withoutLegacyKeys(c);
        SettingsSchema root = CttaSchema.root(registry);
        // ctta.strategies is checked by checkStrategies: a name there is a strategy, not a setting.
        ConfigReader.reportUnknown(block.withoutPath("strategies").root(), root, "ctta", problems);
        KafkaConf kafka = kafka(ConfigReader.readValues(sub(block, "kafka"), KAFKA, "ctta.kafka", problems));
        HttpConf http = http(ConfigReader.readValues(sub(block, "http"), HTTP, "ctta.http", problems));
        CttaSettings.ClusterConf cluster = cluster(ConfigReader.readValues(sub(block, "cluster"), CLUSTER, "ctta.cluster", problems));
        ModelConf model = model(ConfigReader.readValues(sub(block, "model"), MODEL, "ctta.model", problems));
        Config strategies = sub(block, "strategies");
        checkStrategies(strategies);
        CheckpointSettings checkpoints = CheckpointSettings.from(ConfigReader.readValues(sub(block, "checkpoints"),
                CheckpointSettings.SCHEMA, "ctta.checkpoints", problems));
        Guards.Settings guards = guards(ConfigReader.readValues(sub(block, "guards"), GUARDS, "ctta.guards", problems));
        List<PipelineConf> pipelines = pipelines(block, strategies, checkpoints);
        io.ctta.actors.health.FailurePolicy onPipelineFailure = io.ctta.actors.health.FailurePolicy.fromConfigName(
                ConfigReader.readValues(block, CttaSchema.TOP_LEVEL, "ctta", problems).get(ON_PIPELINE_FAILURE));
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems.list());
        }
        return new CttaSettings(kafka, http, model, strategies, List.copyOf(pipelines), checkpoints, guards, onPipelineFailure, cluster);
    }

    /** A renamed key is an error that names its successor, not an unknown key with a guess. */
    private Config withoutLegacyKeys(Config c) {
        String legacy = "guards.collapse." + LEGACY_COLLAPSE_KEY;
        if (!c.hasPath(legacy)) {
            return c;
        }
        problems.badValue("ctta." + legacy, c.getValue(legacy).unwrapped(),
                "the renamed key ctta.guards.collapse.relative-entropy-threshold: the threshold is now a fraction of"
                        + " ln(classes) (0.029 is SAR's 0.2 nats at 1,000 classes, 0.067 nats at 10)");
        return c.withoutPath(legacy);
    }

    private Config sub(Config c, String key) {
        if (!c.hasPath(key)) {
            return ConfigFactory.empty();
        }
        if (c.getValue(key).valueType() != ConfigValueType.OBJECT) {
            problems.badValue("ctta." + key, c.getValue(key).unwrapped(), "an object { ... }");
            return ConfigFactory.empty();
        }
        return c.getConfig(key);
    }

    private KafkaConf kafka(SettingValues k) {
        String bootstrap = k.get(BOOTSTRAP).trim();
        if (!bootstrap.isEmpty()) {
            for (String hp : bootstrap.split(",")) {
                if (!hp.trim().matches("[^:\\s]+:\\d{1,5}")) {
                    problems.badValue(k.key(BOOTSTRAP), bootstrap, "host:port[,host:port...]");
                    break;
                }
            }
        }
        Map<String, String> clientProps = new LinkedHashMap<>();
        Config raw = k.raw();
        if (raw.hasPath(CLIENT_PROPERTIES.key()) && raw.getValue(CLIENT_PROPERTIES.key()).valueType() == ConfigValueType.OBJECT) {
            for (Map.Entry<String, ConfigValue> e : raw.getConfig(CLIENT_PROPERTIES.key()).entrySet()) {
                // entrySet() gives path expressions: a quoted key ("sasl.jaas.config", as --kafka-property
                // writes it) comes back with its quotes, a nested one unquoted; Kafka wants the plain dotted name.
                clientProps.put(String.join(".", ConfigUtil.splitPath(e.getKey())), String.valueOf(e.getValue().unwrapped()));
            }
        }
        SettingValues emb = k.child("embedded");
        String dataDir = emb.get(EMBEDDED_DATA_DIR);
        return new KafkaConf(bootstrap, Map.copyOf(clientProps), dataDir.isBlank() ? null : Path.of(dataDir),
                emb.get(EMBEDDED_PORT), emb.get(EMBEDDED_PARTITIONS), k.child("producer").get(MAX_REQUEST_SIZE));
    }

    private HttpConf http(SettingValues h) {
        String token = h.get(ADMIN_TOKEN);
        if (!token.isEmpty() && token.length() < 16) {
            problems.badValue(h.key(ADMIN_TOKEN), "(hidden, " + token.length() + " characters)",
                    "at least 16 characters, or empty to refuse admin actions");
        }
        return new HttpConf(h.get(HTTP_ENABLED), h.get(HTTP_HOST), h.get(HTTP_PORT), token);
    }

    /**
     * {@code ctta.cluster}: with the cluster enabled, at least one seed node, each host:port (or a
     * Pekko address of the ctta system), and role names Pekko accepts.
     */
    private CttaSettings.ClusterConf cluster(SettingValues c) {
        boolean enabled = c.get(CLUSTER_ENABLED);
        String hostname = c.get(CLUSTER_HOSTNAME).trim();
        if (enabled && hostname.isEmpty()) {
            problems.badValue(c.key(CLUSTER_HOSTNAME), hostname, "the host name or IP address the other nodes reach this node at");
        }
        List<String> seeds = new ArrayList<>();
        List<Object> rawSeeds = c.get(SEED_NODES);
        for (int i = 0; i < rawSeeds.size(); i++) {
            String seed = String.valueOf(rawSeeds.get(i)).trim();
            String address = seedAddress(seed);
            if (address == null) {
                problems.badValue(c.key(SEED_NODES) + "[" + i + "]", seed, "host:port with a port in [1, 65535], e.g. ctta-1.internal:25520"
                        + " (or pekko://" + CttaSettings.SYSTEM_NAME + "@host:port)");
            } else {
                seeds.add(address);
            }
        }
        if (enabled && rawSeeds.isEmpty()) {
            problems.badValue(c.key(SEED_NODES), "[]", "at least one seed node host:port, the same list on every node"
                    + " (a node that lists its own hostname:port first forms the cluster), or ctta.cluster.enabled = false");
        }
        List<String> roles = new ArrayList<>();
        for (Object r : c.get(ROLES)) {
            String role = String.valueOf(r).trim();
            if (!NAME.matcher(role).matches() || role.startsWith("dc-")) {
                problems.badValue(c.key(ROLES), role, "names of letters, digits, '.', '_' or '-' (not starting with dc-, which Pekko reserves)");
            } else {
                roles.add(role);
            }
        }
        SettingValues downing = c.child("downing");
        return new CttaSettings.ClusterConf(enabled, hostname, c.get(CLUSTER_PORT), seeds, roles, c.get(CLUSTER_ASK_TIMEOUT),
                downing.get(DOWNING_STRATEGY), downing.get(STABLE_AFTER));
    }

    private static final Pattern SEED = Pattern.compile("(?:pekko://" + CttaSettings.SYSTEM_NAME + "@)?([^:/@\\s]+):(\\d{1,5})");

    /** {@code host:port} or {@code pekko://ctta@host:port} as a Pekko address; null when neither. */
    static String seedAddress(String seed) {
        var m = SEED.matcher(seed);
        if (!m.matches()) {
            return null;
        }
        int port = Integer.parseInt(m.group(2));
        return port < 1 || port > 65535 ? null : "pekko://" + CttaSettings.SYSTEM_NAME + "@" + m.group(1) + ":" + port;
    }

    private ModelConf model(SettingValues m) {
        String kind = m.get(MODEL_KIND);
        String path = m.get(MODEL_PATH);
        if (kind.equals("torchscript") && path.isBlank()) {
            problems.badValue(m.key(MODEL_PATH), path, "the TorchScript file to load when ctta.model.kind = torchscript");
        }
        String weights = m.get(MODEL_WEIGHTS);
        if (kind.equals("builtin-resnet") && weights.isBlank()) {
            problems.badValue(m.key(MODEL_WEIGHTS), weights, "the parameter file ctta train wrote (with its"
                    + " description FILE.params.json beside it) when ctta.model.kind = builtin-resnet");
        }
        String sha = m.get(MODEL_SHA256).trim();
        if (!sha.isEmpty() && !sha.matches("[0-9a-fA-F]{64}")) {
            problems.badValue(m.key(MODEL_SHA256), sha, "64 hexadecimal digits (the SHA-256 of the model file), or empty");
        }
        String root = m.get(MODEL_ROOT);
        return new ModelConf(kind, path.isBlank() ? null : Path.of(path), weights.isBlank() ? null : Path.of(weights),
                m.get(MODEL_DEVICE), m.get(MODEL_SEED), m.get(SOURCE_DATA).trim(), m.get(SOURCE_SAMPLES),
                root.isBlank() ? null : Path.of(root), sha, m.get(INTRA_OP_THREADS), m.get(CHANNELS_LAST));
    }

    /** Each {@code ctta.strategies.<name>} block: a registered name, and settings its strategy accepts. */
    private void checkStrategies(Config strategies) {
        for (Map.Entry<String, ConfigValue> e : strategies.root().entrySet()) {
            String name = e.getKey();
            String key = "ctta.strategies." + ConfigUtil.joinPath(name);
            if (!knownStrategy.test(name)) {
                problems.badValue(key, name, "a registered strategy" + suggestion(name, strategyNames) + ": " + String.join(", ", strategyNames));
                continue;
            }
            if (!(e.getValue() instanceof ConfigObject o)) {
                problems.badValue(key, e.getValue().unwrapped(), "an object { ... }");
                continue;
            }
            if (registry != null) {
                StrategySettingsCheck.check(registry.provider(name), o.toConfig(), o.toConfig(), key, problems);
            }
        }
    }

    private Guards.Settings guards(SettingValues g) {
        SettingValues col = g.child("collapse");
        return new Guards.Settings(g.get(MAX_DIVERGED), col.get(COLLAPSE_ENABLED), col.get(COLLAPSE_THRESHOLD),
                col.get(COLLAPSE_MOMENTUM), col.get(COLLAPSE_COOLDOWN), g.get(CRASHES_BEFORE_DEAD_LETTER));
    }

    private List<PipelineConf> pipelines(Config c, Config strategies, CheckpointSettings checkpoints) {
        Config defaults = sub(c, "pipeline-defaults");
        List<PipelineConf> pipelines = new ArrayList<>();
        if (!c.hasPath("pipelines")) {
            return pipelines;
        }
        ConfigValue listValue = c.getValue("pipelines");
        if (listValue.valueType() != ConfigValueType.LIST) {
            problems.badValue("ctta.pipelines", listValue.unwrapped(), "a list of { name = ..., input-topic = ..., strategy = ... }");
            return pipelines;
        }
        List<? extends ConfigValue> list = c.getList("pipelines");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String prefix = "ctta.pipelines[" + i + "]";
            if (!(list.get(i) instanceof ConfigObject element)) {
                problems.badValue(prefix, list.get(i).unwrapped(), "an object { name = ..., input-topic = ..., strategy = ... }");
                continue;
            }
            ConfigReader.reportUnknown(element, PIPELINE, prefix, problems);
            SettingValues p = ConfigReader.readValues(element.toConfig().withFallback(defaults), PIPELINE, prefix, problems);
            PipelineConf conf = pipeline(p, prefix, element.toConfig(), strategies, checkpoints);
            if (conf == null) {
                continue;
            }
            if (!names.add(conf.name())) {
                problems.badValue(prefix + ".name", conf.name(), "a name no other pipeline uses");
            }
            if (conf.output().exactlyOnce() && !checkpoints.enabled()) {
                problems.badValue(prefix + ".output.mode", "exactly-once",
                        "at-least-once, or set ctta.checkpoints.dir (or ctta.checkpoints.store = kafka): exactly-once output resumes from the checkpoint its last transaction names");
            }
            if (conf.scope() == CttaSettings.Scope.PARTITION) {
                if (!checkpoints.enabled()) {
                    problems.badValue(prefix + ".scope", "partition",
                            "pipeline, or set ctta.checkpoints.dir (or ctta.checkpoints.store = kafka): a partition's model moves between processes with its checkpoint");
                }
                if (conf.feedback().enabled()) {
                    problems.badValue(prefix + ".scope", "partition",
                            "pipeline, or feedback.enabled = false: delayed labels are not yet routed to per-partition models");
                }
            }
            if (conf.standby() && conf.scope() != CttaSettings.Scope.PIPELINE) {
                problems.badValue(prefix + ".standby", "true", "false, or scope = pipeline: with scope = "
                        + conf.scope().name().toLowerCase(Locale.ROOT) + " processes with the same config share the work through the consumer group");
            } else if (conf.standby() && !checkpoints.enabled()) {
                problems.badValue(prefix + ".standby", "true",
                        "false, or set ctta.checkpoints.dir (or ctta.checkpoints.store = kafka): the standby resumes from the active process's checkpoint");
            }
            pipelines.add(conf);
        }
        return pipelines;
    }

    private PipelineConf pipeline(SettingValues p, String prefix, Config own, Config strategies, CheckpointSettings checkpoints) {
        String name = p.get(PIPELINE_NAME);
        boolean nameOk = name != null && NAME.matcher(name).matches();
        if (name != null && !nameOk) {
            problems.badValue(p.key(PIPELINE_NAME), name, "letters, digits, '.', '_' or '-' (it prefixes topic names)");
        }
        String input = p.get(INPUT_TOPIC);
        if (input != null && !NAME.matcher(input).matches()) {
            problems.badValue(p.key(INPUT_TOPIC), input, "a Kafka topic name (letters, digits, '.', '_', '-')");
        }
        String strategy = p.get(STRATEGY);
        boolean known = knownStrategy.test(strategy);
        if (!known) {
            problems.badValue(p.key(STRATEGY), strategy, "one of " + String.join(", ", strategyNames) + suggestion(strategy, strategyNames));
        }
        // Quoted: strategy names such as sgd+spectral are not valid HOCON path expressions.
        String path = ConfigUtil.joinPath(strategy);
        Config base = strategies.hasPath(path) && strategies.getValue(path).valueType() == ConfigValueType.OBJECT
                ? strategies.getConfig(path) : ConfigFactory.empty();
        Config ownSettings = p.raw().hasPath(STRATEGY_SETTINGS.key())
                && p.raw().getValue(STRATEGY_SETTINGS.key()).valueType() == ConfigValueType.OBJECT
                ? p.raw().getConfig(STRATEGY_SETTINGS.key()) : ConfigFactory.empty();
        Config effective = ownSettings.withFallback(base);
        if (known && registry != null) {
            boolean fallbackValid = !problems.hasProblemAt("ctta.strategies." + path);
            StrategySettingsCheck.check(registry.provider(strategy), ownSettings, effective, p.key(STRATEGY_SETTINGS), problems,
                    fallbackValid);
        }
        // The nested blocks are checked even when the name is bad; names derived from it then use a stand-in.
        String derivable = nameOk ? name : "pipeline";
        DriftConf drift = drift(p.child("drift"));
        FeedbackConf feedback = feedback(p.child("feedback"), derivable);
        OutputConf output = output(p.child("output"), derivable);
        if (!nameOk || input == null) {
            return null;
        }
        CttaSettings.Scope scope = CttaSettings.Scope.valueOf(p.get(SCOPE).toUpperCase(Locale.ROOT));
        CttaSettings.KeyStatesConf keyStates = keyStates(p, scope, strategy, known, drift, checkpoints, name);
        String group = p.get(GROUP_ID);
        return new PipelineConf(name, input, strategy, group.isBlank() ? "ctta-" + name : group,
                p.get(BATCH_SIZE), p.get(MAX_LATENCY), p.get(MAX_RECORD_BYTES), p.get(ASK_TIMEOUT), p.get(AUTO_OFFSET_RESET),
                p.get(SESSION_TIMEOUT), p.get(GROUP_INSTANCE_ID), effective, drift, feedback, output, scope, keyStates,
                p.get(STANDBY));
    }

    /**
     * {@code scope = key}: the strategy (and the one a drift switches to) must keep a small state per
     * key, and evicted states need a directory that survives a restart when checkpoints do.
     */
    private CttaSettings.KeyStatesConf keyStates(SettingValues p, CttaSettings.Scope scope, String strategy, boolean known,
            DriftConf drift, CheckpointSettings checkpoints, String pipeline) {
        SettingValues k = p.child("key-states");
        String dir = k.get(KEY_STATES_DIR).trim();
        if (scope != CttaSettings.Scope.KEY) {
            return new CttaSettings.KeyStatesConf(k.get(MAX_RESIDENT), null);
        }
        StrategyRegistry strategies = registry != null ? registry : StrategyRegistry.load();
        List<String> supporting = strategies.names().stream().filter(n -> strategies.provider(n).supportsKeyScope()).sorted().toList();
        if (known && strategies.names().contains(strategy) && !strategies.provider(strategy).supportsKeyScope()) {
            problems.badValue(p.key(SCOPE), "key", "pipeline: strategy " + strategy + " adapts more than a small part of the network"
                    + " and keeps no state per key; scope = key works with " + String.join(", ", supporting) + " (docs/scopes.md)");
        }
        if (drift.action() == DriftActions.Kind.SWITCH_STRATEGY && strategies.names().contains(drift.switchTo())
                && !strategies.provider(drift.switchTo()).supportsKeyScope()) {
            problems.badValue(p.key(SCOPE), "key", "pipeline, or a drift.switch-to strategy that keeps a state per key ("
                    + String.join(", ", supporting) + "), not " + drift.switchTo());
        }
        Path spill = null;
        if (!dir.isEmpty()) {
            spill = Path.of(dir).resolve(pipeline == null ? "pipeline" : pipeline);
        } else if (checkpoints.enabled()) {
            if (checkpoints.dir() == null || checkpoints.dir().toString().isEmpty()) {
                problems.badValue(k.key(KEY_STATES_DIR), dir, "a directory for evicted key states: with ctta.checkpoints.store = kafka"
                        + " there is no checkpoint directory to put them under, and they must survive a restart like the checkpoints");
            } else {
                spill = checkpoints.dir().resolve(pipeline == null ? "pipeline" : pipeline).resolve("key-states");
            }
        }
        return new CttaSettings.KeyStatesConf(k.get(MAX_RESIDENT), spill);
    }

    private OutputConf output(SettingValues o, String pipeline) {
        OutputMode mode = OutputMode.valueOf(o.get(OUTPUT_MODE).toUpperCase(Locale.ROOT).replace('-', '_'));
        String id = o.get(TRANSACTIONAL_ID).trim();
        if (id.isEmpty()) {
            id = "ctta-" + pipeline;
        } else if (!NAME.matcher(id).matches()) {
            problems.badValue(o.key(TRANSACTIONAL_ID), id, "letters, digits, '.', '_' or '-'");
        }
        return new OutputConf(mode, o.get(TRANSACTION_INTERVAL), id);
    }

    private FeedbackConf feedback(SettingValues f, String pipeline) {
        String topic = f.get(FEEDBACK_TOPIC).trim();
        if (topic.isEmpty()) {
            topic = Topics.feedback(pipeline);
        } else if (!NAME.matcher(topic).matches()) {
            problems.badValue(f.key(FEEDBACK_TOPIC), topic, "a Kafka topic name");
        }
        JoinerSettings joiner = JoinerSettings.from(f);
        return new FeedbackConf(f.get(INLINE_LABELS).equals("learn"), f.get(FEEDBACK_ENABLED), topic, joiner,
                f.get(FEEDBACK_BATCH_SIZE), f.get(FEEDBACK_MAX_LATENCY));
    }

    private DriftConf drift(SettingValues d) {
        List<DriftMonitor.Spec> specs = new ArrayList<>();
        String listKey = d.key(DETECTORS);
        Config raw = d.raw();
        List<? extends ConfigValue> list = raw.hasPath(DETECTORS.key()) && raw.getValue(DETECTORS.key()).valueType() == ConfigValueType.LIST
                ? raw.getList(DETECTORS.key()) : List.of();
        for (int j = 0; j < list.size(); j++) {
            String key = listKey + "[" + j + "]";
            if (!(list.get(j) instanceof ConfigObject element)) {
                problems.badValue(key, list.get(j).unwrapped(), "an object { detector = ..., signal = ... }");
                continue;
            }
            int before = problems.size();
            SettingValues one = ConfigReader.read(element.toConfig(), DETECTOR_ENTRY, key, problems);
            if (problems.size() > before) {
                continue;
            }
            String detector = one.get(DETECTOR);
            DriftSignal signal = DriftSignal.fromWireName(one.get(SIGNAL));
            Config settings = element.toConfig().hasPath(DETECTOR_SETTINGS.key())
                    ? element.toConfig().getConfig(DETECTOR_SETTINGS.key()) : ConfigFactory.empty();
            String settingsKey = key + "." + DETECTOR_SETTINGS.key();
            ConfigReader.read(settings, DriftDetectors.schema(detector), settingsKey, problems);
            if (problems.size() == before) {
                try {
                    DriftDetectors.create(detector, settings, 0, settingsKey);
                } catch (IllegalArgumentException e) {
                    problems.add(settingsKey, e.getMessage());
                }
            }
            boolean vector = signal == DriftSignal.INPUT;
            boolean multivariate = detector.equals("ks") || detector.equals("mmd");
            if (vector != multivariate) {
                problems.badValue(key + ".signal", signal.wireName(),
                        multivariate ? "input (ks and mmd test vectors)" : "entropy, confidence or error (" + detector + " watches a number)");
            }
            specs.add(new DriftMonitor.Spec(detector, signal, settings));
        }
        DriftActions.Kind action = DriftActions.Kind.valueOf(d.get(DRIFT_ACTION).toUpperCase(Locale.ROOT).replace('-', '_'));
        String switchTo = d.get(SWITCH_TO);
        if (action == DriftActions.Kind.SWITCH_STRATEGY && !knownStrategy.test(switchTo)) {
            problems.badValue(d.key(SWITCH_TO), switchTo, "one of " + String.join(", ", strategyNames) + suggestion(switchTo, strategyNames));
        }
        return new DriftConf(List.copyOf(specs), action, switchTo, d.get(DRIFT_COOLDOWN));
    }

    private static String suggestion(String typo, Set<String> names) {
        return DidYouMean.nearest(typo, names).map(n -> " (did you mean '" + n + "'?)").orElse("");
    }
}
