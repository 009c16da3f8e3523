package io.ctta.actors;

import com.typesafe.config.Config;
import io.ctta.actors.broker.EmbeddedBroker;
import io.ctta.actors.checkpoint.CheckpointStores;
import io.ctta.actors.cluster.ClusterMembership;
import io.ctta.actors.cluster.ClusterView;
import io.ctta.actors.cluster.GroupAssignments;
import io.ctta.actors.cluster.LocalModels;
import io.ctta.actors.cluster.LocalNode;
import io.ctta.actors.cluster.NodeAgent;
import io.ctta.actors.broker.EmbeddedBrokerProvider;
import io.ctta.actors.broker.EmbeddedBrokerSpec;
import io.ctta.actors.broker.EmbeddedBrokers;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.dashboard.Dashboard;
import io.ctta.actors.dashboard.SeriesRecorder;
import io.ctta.actors.drift.DriftActions;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.health.FailurePolicy;
import io.ctta.actors.health.HealthCheck;
import io.ctta.actors.health.PipelineStates;
import io.ctta.actors.http.HttpEndpoint;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.actors.model.CheckpointAgent;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.actors.model.ModelSource;
import io.ctta.actors.pipeline.InputDecoder;
import io.ctta.actors.pipeline.InputRangeWatch;
import io.ctta.actors.pipeline.PipelineFailures;
import io.ctta.actors.pipeline.PipelineSupervisor;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.streams.kafka.KafkaSettings;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running ctta process: the Kafka connection (an embedded broker when none is configured), the
 * actor system with one pipeline per config entry and the node agent, and the HTTP endpoint.
 * Closing it drains every pipeline, then stops the endpoint, leaves the cluster (a cluster
 * member), stops the system and the embedded broker, in that order.
 */
public final class CttaRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CttaRuntime.class);

    private final EmbeddedBroker embedded;
    private final Properties kafka;
    private final ActorSystem<RuntimeGuardian.Command> system;
    private final PrometheusMeterRegistry registry;
    private final Map<String, PipelineMetrics> metrics;
    private final ServerBinding binding;
    private final PipelineFailures failures;
    private final HealthCheck health;
    private final FailurePolicy onPipelineFailure;
    /** Set when close() begins: the liveness probe answers 503 from then on. */
    private final AtomicBoolean closing;
    private boolean closed;
    private final ClusterView cluster;
    /** A member of a Pekko Cluster ({@code ctta.cluster.enabled}): it leaves the cluster after the drain. */
    private final boolean clustered;

    private CttaRuntime(EmbeddedBroker embedded, Properties kafka, ActorSystem<RuntimeGuardian.Command> system,
            PrometheusMeterRegistry registry, Map<String, PipelineMetrics> metrics, ServerBinding binding,
            PipelineFailures failures, HealthCheck health, FailurePolicy onPipelineFailure, AtomicBoolean closing,
            ClusterView cluster, boolean clustered) {
        this.cluster = cluster;
        this.clustered = clustered;
        this.failures = failures;
        this.health = health;
        this.onPipelineFailure = onPipelineFailure;
        this.closing = closing;
        this.embedded = embedded;
        this.kafka = kafka;
        this.system = system;
        this.registry = registry;
        this.metrics = metrics;
        this.binding = binding;
    }

    /**
     * Starts everything the settings describe.
     *
     * @param systemConfig the full config (Pekko settings and dispatchers included)
     * @param runningBrokerOrNull bootstrap servers of a broker the caller already runs (the demo, tests),
     *     overriding the settings'; null to follow the settings (an embedded broker when they name none)
     */
    public static CttaRuntime start(CttaSettings settings, Config systemConfig, StrategyRegistry strategies, String runningBrokerOrNull) {
        // The model files (existence, root, SHA-256, a trial load of the weights) before any broker or
        // thread starts: a bad path fails the start at once, naming the key.
        ModelSource modelSource = new ModelSource(settings.model());
        LOG.info("model {} on {} (input {}, {} classes{})", modelSource.spec().version(), settings.model().device(),
                java.util.Arrays.toString(modelSource.spec().inputShape()), modelSource.spec().numClasses(),
                modelSource.spec().geometry().acceptsAnySize() ? ", images of any size: " + modelSource.spec().geometry() : "");
        EmbeddedBroker embedded = null;
        String bootstrap = runningBrokerOrNull;
        if (bootstrap == null && settings.kafka().embedded()) {
            embedded = startEmbedded(settings.kafka());
            bootstrap = embedded.bootstrapServers();
        } else if (bootstrap == null) {
            bootstrap = settings.kafka().bootstrapServers();
        }
        boolean ownsBroker = embedded != null;
        Properties kafka = new KafkaSettings(bootstrap, settings.kafka().clientProperties()).admin();
        try {
            Set<String> topics = new LinkedHashSet<>();
            Set<String> outputs = new LinkedHashSet<>();
            Set<String> compacted = new LinkedHashSet<>();
            Set<String> leases = new LinkedHashSet<>();
            for (PipelineConf p : settings.pipelines()) {
                topics.add(p.inputTopic());
                outputs.add(Topics.predictions(p.name()));
                outputs.add(Topics.deadLetters(p.name()));
                outputs.add(Topics.drift(p.name()));
                if (p.output().exactlyOnce()) {
                    compacted.add(Topics.checkpoints(p.name()));
                }
                if (settings.checkpoints().store() == CheckpointSettings.Store.KAFKA) {
                    compacted.add(settings.checkpoints().topic());
                }
                if (p.feedback().enabled()) {
                    topics.add(p.feedback().topic());
                }
                if (p.standby()) {
                    leases.add(Topics.lease(p.name()));
                }
            }
            outputs.removeAll(topics);
            int maxRequestSize = settings.kafka().maxRequestSize();
            TopicAdmin.ensure(kafka, topics, settings.kafka().embeddedPartitions());
            // Output topics ctta creates accept whatever its producers may send.
            TopicAdmin.ensure(kafka, outputs, settings.kafka().embeddedPartitions(), Map.of("max.message.bytes", String.valueOf(maxRequestSize)));
            int maxOutputBytes = outputs.isEmpty() ? maxRequestSize : Math.min(maxRequestSize, TopicAdmin.maxMessageBytes(kafka, outputs));
            if (maxOutputBytes < CttaSettings.MIN_REQUEST_SIZE) {
                throw new io.ctta.actors.config.InvalidConfigException("ctta.kafka.producer.max-request-size", String.valueOf(maxRequestSize),
                        "an output topic accepts only " + maxOutputBytes + " bytes (max.message.bytes); raise that topic's max.message.bytes to at least "
                                + CttaSettings.MIN_REQUEST_SIZE);
            }
            for (PipelineConf p : settings.pipelines()) {
                if (p.maxRecordBytes() > maxOutputBytes - 4096) {
                    LOG.info("pipeline {}: inputs up to max-record-bytes = {} are accepted, but outputs fit in {} bytes "
                                    + "(ctta.kafka.producer.max-request-size, output topics' max.message.bytes): the dead letter of a larger "
                                    + "input keeps a prefix of its value, marked {}", p.name(), p.maxRecordBytes(), maxOutputBytes,
                            io.ctta.streams.serde.DeadLetters.VALUE_TRUNCATED);
                }
            }
            // One partition, so that offset order is commit order; compacted: one pointer per pipeline is kept.
            TopicAdmin.ensure(kafka, compacted, 1, Map.of("cleanup.policy", "compact"));
            // One partition: whoever the lease group assigns it to serves (nothing is ever written to it).
            TopicAdmin.ensure(kafka, leases, 1);

            PipelineFailures failures = new PipelineFailures();
            PipelineStates states = new PipelineStates();
            for (PipelineConf p : settings.pipelines()) {
                states.register(p.name(), p.strategy());
            }
            int[] shape = modelSource.spec().inputShape();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
            // Concurrent: a partition-scoped pipeline adds its partitions' metrics as they are assigned.
            Map<String, PipelineMetrics> metrics = new java.util.concurrent.ConcurrentHashMap<>();
            Dashboard dashboard = new Dashboard();
            Map<String, org.apache.pekko.actor.typed.ActorRef<io.ctta.actors.model.ModelActor.Command>> models =
                    new java.util.concurrent.ConcurrentHashMap<>();
            List<RuntimeGuardian.Pipeline> pipelines = new ArrayList<>();
            io.ctta.runtime.model.IntraOpThreads intraOpThreads = settings.model().intraOpThreads(settings.pipelines().size());
            LOG.info("{} pipeline(s); libtorch operators use {} thread(s) each (ctta.model.intra-op-threads)",
                    settings.pipelines().size(), intraOpThreads.count());
            if (intraOpThreads.count() > 1 && System.getenv("OMP_WAIT_POLICY") == null) {
                // Spinning OpenMP threads starve everything else on a shared machine (4x slower
                // batch-1 learning measured under load, docs/scaling.md); the launcher sets it.
                LOG.warn("OMP_WAIT_POLICY is not set: libtorch's {} operator threads spin while they wait, which starves other "
                        + "work on a shared machine; export OMP_WAIT_POLICY=PASSIVE (the ctta launcher does) or set "
                        + "ctta.model.intra-op-threads = 1", intraOpThreads.count());
            }
            for (PipelineConf p : settings.pipelines()) {
                PipelineMetrics m = new PipelineMetrics(registry, p.name(), p.strategy());
                metrics.put(p.name(), m);
                // A model that resizes accepts images of any size: bound them by the record size instead.
                int maxElements = Math.max(io.ctta.runtime.data.InputBatch.sampleLength(shape),
                        modelSource.spec().geometry().acceptsAnySize() ? p.maxRecordBytes() : 0);
                InputDecoder codec = new InputDecoder(new RecordCodec(new RecordLimits(p.maxRecordBytes(), 8, maxElements,
                        modelSource.spec().acceptedShape())), modelSource.spec(),
                        InputRangeWatch.forModel(modelSource.spec(), p.name(), p.strategy(), registry));
                Function<String, AdaptationStrategy> factory = name -> {
                    // The pipeline's own settings for its configured strategy; ctta.strategies.<name> for one it switches to.
                    Config strategySettings = name.equals(p.strategy()) ? p.strategySettings()
                            : settings.strategies().hasPath(com.typesafe.config.ConfigUtil.joinPath(name))
                            ? settings.strategies().getConfig(com.typesafe.config.ConfigUtil.joinPath(name)) : com.typesafe.config.ConfigFactory.empty();
                    AdaptiveModel model = modelSource.newModel();
                    try {
                        return strategies.create(name, new StrategyContext(model, strategySettings, settings.model().seed(), modelSource.sourceData()));
                    } catch (RuntimeException e) {
                        model.close();
                        throw e;
                    }
                };
                DriftMonitor drift = new DriftMonitor(p.name(), p.strategy(), p.drift().detectors(), settings.model().seed(), registry);
                DriftActions actions = new DriftActions(p.drift().action(), p.drift().switchTo(), p.drift().cooldown(), System::currentTimeMillis);
                SeriesRecorder series = dashboard.register(p.name(), p.strategy());
                Supplier<CheckpointAgent> checkpoints = settings.checkpoints().enabled()
                        ? () -> {
                            CheckpointSettings cs = checkpointSettingsFor(settings.checkpoints(), p);
                            return CheckpointAgent.open(cs, CheckpointStores.open(cs, p.name(), kafka), configHash(p));
                        }
                        : null;
                io.ctta.actors.metrics.KeyStateMetrics keyMetrics = new io.ctta.actors.metrics.KeyStateMetrics(registry, p.name(), p.strategy());
                Supplier<io.ctta.actors.model.KeyedStates> keyStates = p.scope() == CttaSettings.Scope.KEY
                        ? () -> new io.ctta.actors.model.KeyedStates(new io.ctta.actors.model.KeyedStates.Settings(p.name(), p.keyStates().maxResident(),
                                p.keyStates().dir(), settings.checkpoints().enabled() ? checkpointSettingsFor(settings.checkpoints(), p).keep() : 0), keyMetrics)
                        : null;
                PipelineSupervisor.OutputLimits limits = new PipelineSupervisor.OutputLimits(maxRequestSize, maxOutputBytes);
                java.util.function.IntFunction<PipelineSupervisor.Deps> partitionDeps = null;
                if (p.scope() == CttaSettings.Scope.PARTITION) {
                    // Each partition's model has its own checkpoints, metrics tag, drift monitor and dashboard
                    // series under "<pipeline>-p<N>"; a partition that comes back reuses its meters.
                    Map<Integer, PipelineSupervisor.Deps> byPartition = new java.util.concurrent.ConcurrentHashMap<>();
                    partitionDeps = partition -> byPartition.computeIfAbsent(partition, n -> {
                        String unit = p.unitName(n);
                        PipelineMetrics um = new PipelineMetrics(registry, unit, p.strategy());
                        metrics.put(unit, um);
                        Supplier<CheckpointAgent> unitCheckpoints = () -> {
                            CheckpointSettings cs = checkpointSettingsFor(settings.checkpoints(), p);
                            return CheckpointAgent.open(cs, CheckpointStores.open(cs, unit, kafka), configHash(p));
                        };
                        return new PipelineSupervisor.Deps(kafka, codec, factory, um, unitCheckpoints, settings.guards(),
                                new DriftMonitor(unit, p.strategy(), p.drift().detectors(), settings.model().seed(), registry),
                                new DriftActions(p.drift().action(), p.drift().switchTo(), p.drift().cooldown(), System::currentTimeMillis),
                                dashboard.register(unit, p.strategy()), models, failures, states, limits, intraOpThreads, null, null);
                    });
                }
                pipelines.add(new RuntimeGuardian.Pipeline(p, new PipelineSupervisor.Deps(kafka, codec, factory, m, checkpoints, settings.guards(), drift, actions, series, models, failures, states,
                        limits, intraOpThreads, keyStates, partitionDeps)));
            }
            boolean clustered = settings.cluster().enabled();
            // A cluster member runs Pekko's cluster provider (Artery, seed nodes, the Split Brain
            // Resolver); a single node keeps the local provider.
            Config actorConfig = clustered ? ClusterMembership.pekkoConfig(settings.cluster()).withFallback(systemConfig) : systemConfig;
            ActorSystem<RuntimeGuardian.Command> system = ActorSystem.create(RuntimeGuardian.create(pipelines), CttaSettings.SYSTEM_NAME, actorConfig);
            AtomicBoolean closing = new AtomicBoolean();
            String address = clustered ? ClusterMembership.address(system) : system.address().toString();
            if (clustered) {
                ClusterMembership.watch(system, closing::get, () -> {
                    // Downed (the Split Brain Resolver, an operator): Pekko stops the actor system and
                    // every pipeline with it, undrained; ctta run must exit so it is restarted and rejoins.
                    for (PipelineConf p : settings.pipelines()) {
                        String why = "this node (" + address + ") was downed and removed from the cluster";
                        states.failed(p.name(), why);
                        failures.failed(p.name(), why);
                    }
                });
            }
            Map<String, CttaSettings.Scope> scopes = new java.util.LinkedHashMap<>();
            settings.pipelines().forEach(p -> scopes.put(p.name(), p.scope()));
            var agent = system.systemActorOf(NodeAgent.create(address, new LocalNode(LocalModels.fromRegistry(models, scopes), states, registry, scopes),
                    GroupAssignments.of(settings.pipelines(), kafka)), "node-agent", org.apache.pekko.actor.typed.Props.empty());
            ClusterView clusterView = new ClusterView(system, agent, clustered, settings.cluster().askTimeout(), address);
            HealthCheck health = new HealthCheck(states, settings.onPipelineFailure(),
                    () -> closing.get() || system.whenTerminated().isCompleted());
            ServerBinding binding = null;
            if (settings.http().enabled()) {
                binding = HttpEndpoint.bind(system, settings.http().host(), settings.http().port(), registry, dashboard,
                                new HttpEndpoint.Admin(settings.http().adminToken(), strategies.names()::contains),
                                new HttpEndpoint.Pipelines(health, modelSource.inputContract()), clusterView)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                LOG.info("dashboard at http://{}:{}/ and metrics at /metrics", settings.http().host(), binding.localAddress().getPort());
            }
            return new CttaRuntime(ownsBroker ? embedded : null, kafka, system, registry, metrics, binding, failures, health,
                    settings.onPipelineFailure(), closing, clusterView, clustered);
        } catch (Exception e) {
            if (ownsBroker) {
                embedded.close();
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot start ctta: " + e.getMessage(), e);
        }
    }

    /** Exactly-once output commits a transaction per checkpoint: at least every transaction interval. */
    private static CheckpointSettings checkpointSettingsFor(CheckpointSettings c, PipelineConf p) {
        if (!p.output().exactlyOnce()) {
            return c;
        }
        java.time.Duration every = c.interval().isZero() || c.interval().compareTo(p.output().transactionInterval()) > 0
                ? p.output().transactionInterval() : c.interval();
        return c.with(Math.max(c.keep(), 2), every);
    }

    /** Identifies the strategy configuration a checkpoint was written under. */
    static String configHash(PipelineConf p) {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            md.update((p.strategy() + "\n" + p.strategySettings().root().render(com.typesafe.config.ConfigRenderOptions.concise()))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Kafka client settings every pipeline uses. */
    public Properties kafkaProperties() {
        Properties copy = new Properties();
        copy.putAll(kafka);
        return copy;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Pipelines that stopped for good, and why: a strategy that cannot be created, a pipeline
     * supervisor that crashed. (A pipeline fenced by a newer owner of its checkpoints stops quietly:
     * the partitions are served elsewhere.)
     */
    public PipelineFailures failures() {
        return failures;
    }

    /** Every pipeline's state (starting, running, restarting, stopped, failed), as the health probes read it. */
    public PipelineStates states() {
        return health.states();
    }

    /** The liveness and readiness verdicts {@code /health/live} and {@code /health/ready} answer. */
    public HealthCheck health() {
        return health;
    }

    /**
     * Completes with the first pipeline that stopped for good when {@code ctta.on-pipeline-failure
     * = exit}: the command running the runtime must then stop and exit non-zero. Never completes
     * under {@code keep-running}.
     */
    public CompletableFuture<PipelineFailures.Failure> fatalFailure() {
        return onPipelineFailure == FailurePolicy.EXIT ? failures.firstFailure() : new CompletableFuture<>();
    }

    /** Meters per pipeline name. */
    public Map<String, PipelineMetrics> metrics() {
        return metrics;
    }

    /** The bound HTTP port, or -1 when HTTP is disabled. */
    public int httpPort() {
        return binding == null ? -1 : binding.localAddress().getPort();
    }

    /** Every node of the cluster and its models (this node alone when the cluster is disabled), as {@code /api/cluster} shows it. */
    public ClusterView cluster() {
        return cluster;
    }

    /** This node's address: {@code pekko://ctta@host:port} in a cluster. */
    public String address() {
        return cluster.self();
    }

    public ActorSystem<RuntimeGuardian.Command> system() {
        return system;
    }

    private static EmbeddedBroker startEmbedded(CttaSettings.KafkaConf k) {
        EmbeddedBrokerSpec spec = new EmbeddedBrokerSpec(k.embeddedDataDir(), k.embeddedPort(), k.embeddedPartitions());
        EmbeddedBrokerProvider provider = EmbeddedBrokers.provider();
        try {
            EmbeddedBroker broker = provider.start(spec);
            LOG.info("embedded Kafka broker at {} (data in {})", broker.bootstrapServers(),
                    k.embeddedDataDir() == null ? "a temporary directory" : k.embeddedDataDir());
            return broker;
        } catch (RuntimeException e) {
            // The broker's own message says what failed; the keys tell the user what to change.
            throw new IllegalStateException("the embedded Kafka broker did not start (ctta.kafka.embedded.port = " + k.embeddedPort()
                    + ", ctta.kafka.embedded.data-dir = " + (k.embeddedDataDir() == null ? "\"\"" : k.embeddedDataDir()) + "): "
                    + e.getMessage() + ". Set ctta.kafka.embedded.port to a free port (0 picks one), give the broker a data-dir"
                    + " no other broker uses, or set ctta.kafka.bootstrap-servers to a cluster", e);
        }
    }

    /** Drains every pipeline, then stops the system, the endpoint and an embedded broker. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing.set(true);
        Duration timeout = Duration.ofSeconds(30);
        try {
            AskPattern.<RuntimeGuardian.Command, org.apache.pekko.Done>ask(system, r -> new RuntimeGuardian.StopAll(timeout, r), timeout, system.scheduler())
                    .toCompletableFuture().get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("pipelines did not drain cleanly: {}", e.toString());
        }
        if (binding != null) {
            try {
                binding.terminate(Duration.ofSeconds(2)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("HTTP endpoint did not stop cleanly: {}", e.toString());
            }
        }
        if (clustered) {
            // Only now, with every pipeline drained and its final checkpoint written: the other
            // members see this one go once its partitions are free for the consumer group to hand over.
            ClusterMembership.leave(system, timeout);
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("actor system did not terminate in time: {}", e.toString());
        }
        registry.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
