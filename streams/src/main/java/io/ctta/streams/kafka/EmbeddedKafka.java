package io.ctta.streams.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-process, single-node Kafka broker in KRaft mode (one process acting as broker and
 * controller), started from {@code kafka_2.13} main code only, so the runtime can ship it without the
 * broker test kit. It listens on 127.0.0.1, PLAINTEXT, with replication factors of 1 and automatic
 * topic creation off.
 *
 * <p>Lifecycle: {@link #start} → ({@link #createTopics} | {@link #stop} → {@link #restart})* →
 * {@link #close}. {@link #restart} reuses the data directory and both ports, so clients reconnect and
 * acknowledged records survive. {@link #close} is idempotent and bounded in time. Thread-safe.
 *
 * <p>The broker logs through SLF4J at INFO; configure the {@code kafka} and {@code org.apache.kafka}
 * loggers to WARN in the logging backend to silence it (the tests do this with slf4j-simple).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Bound on one broker shutdown; past it the broker threads are abandoned, not waited for. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final int defaultPartitions;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, boolean ownsDataDir, int brokerPort, int controllerPort,
                          int defaultPartitions) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.defaultPartitions = defaultPartitions;
    }

    /** Starts a broker on a free port; {@code dataDir == null} means a temporary directory deleted on close. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Starts a broker on {@code port} (0 = pick a free one), default 1 partition per topic. */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, 1);
    }

    /**
     * Starts a broker.
     *
     * @param dataDir           storage directory (formatted on first use, reused afterwards), or
     *                          {@code null} for a temporary one deleted on {@link #close}
     * @param port              client port on 127.0.0.1, or 0 to pick a free one
     * @param defaultPartitions {@code num.partitions}: partitions of topics created without a count
     * @throws IllegalStateException if the broker does not come up (message says why)
     */
    public static EmbeddedKafka start(Path dataDir, int port, int defaultPartitions) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("defaultPartitions must be >= 1, was " + defaultPartitions);
        }
        boolean owns = dataDir == null;
        Path dir;
        try {
            dir = owns ? Files.createTempDirectory("ctta-kafka-") : Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
        }
        // The controller quorum needs a concrete port in controller.quorum.voters, so ports are picked
        // up front; a lost race for a picked port is retried with fresh ones.
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            EmbeddedKafka kafka = new EmbeddedKafka(dir, owns, port == 0 ? freePort() : port, freePort(),
                    defaultPartitions);
            try {
                kafka.startServer();
                return kafka;
            } catch (RuntimeException e) {
                last = e;
                LOG.warn("embedded Kafka start attempt {} failed: {}", attempt + 1, e.toString());
                if (port != 0) {
                    break;
                }
            }
        }
        if (owns) {
            deleteQuietly(dir);
        }
        throw new IllegalStateException("embedded Kafka did not start in " + dir
                + "; check that the directory is writable and not used by another broker", last);
    }

    /** {@code 127.0.0.1:<port>}, stable across {@link #restart}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The storage directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** True while the broker is serving. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Creates topics with replication factor 1; topics that already exist are left as they are.
     * Returns once every partition has a leader, so a producer can send at once.
     */
    public synchronized void createTopics(int partitions, String... names) {
        requireRunning();
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, partitions, (short) 1));
        }
        try (Admin admin = admin()) {
            for (Map.Entry<String, KafkaFuture<Void>> e : admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
                    }
                }
            }
            awaitLeaders(admin, Arrays.asList(names));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic creation timed out after " + ADMIN_TIMEOUT, e);
        }
    }

    /** Stops the broker cleanly (data stays); a no-op when stopped. Bounded by a 30 s shutdown timeout. */
    public synchronized void stop() {
        KafkaRaftServer s = server;
        server = null;
        if (s == null) {
            return;
        }
        long t0 = System.nanoTime();
        // Shutdown runs on its own thread so a stuck broker thread cannot hang the caller.
        Thread t = new Thread(() -> {
            try {
                s.shutdown();
                s.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("embedded Kafka shutdown failed", e);
            }
        }, "ctta-embedded-kafka-shutdown");
        t.setDaemon(true);
        t.start();
        try {
            t.join(SHUTDOWN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("embedded Kafka did not shut down within {}; abandoning its threads", SHUTDOWN_TIMEOUT);
        } else {
            LOG.info("embedded Kafka stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /**
     * Stops the broker if it runs, then starts it again on the same data directory and ports.
     * Retries for a few seconds while the old sockets are released.
     */
    public synchronized void restart() {
        requireOpen();
        stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                startServer();
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("embedded Kafka did not restart on ports " + brokerPort
                            + "/" + controllerPort + "; another process may have taken them", e);
                }
                LOG.warn("embedded Kafka restart failed, retrying: {}", e.toString());
                sleep(500);
            }
        }
    }

    /** Stops the broker and deletes a temporary data directory. Idempotent; bounded in time. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        if (ownsDataDir) {
            deleteQuietly(dataDir);
        }
    }

    private void startServer() {
        requireOpen();
        long t0 = System.nanoTime();
        Properties props = brokerProperties();
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        format(dataDir.resolve("kraft").toString());
        KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            s.startup();
        } catch (RuntimeException e) {
            try {
                s.shutdown();
                s.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        server = s;
        LOG.info("embedded Kafka up at {} in {} ms", bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
    }

    private Properties brokerProperties() {
        // One directory holds both the data logs and the metadata log (format() uses the same path).
        String logDir = dataDir.resolve("kraft").toString();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("num.partitions", Integer.toString(defaultPartitions));
        p.put("auto.create.topics.enable", "false");
        // Single node: every internal topic must accept replication factor 1, or groups never form.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // A laptop-sized broker: fewer threads, and no 128 MiB log-cleaner buffer.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 << 20));
        p.put("controlled.shutdown.enable", "true");
        return p;
    }

    /** Formats the storage the first time; an already formatted directory keeps its cluster id. */
    private static void format(String metadataDir) {
        // The Formatter checks an existing directory against the cluster id it is given, so a
        // formatted directory (a restart, or a reused dataDir) is left alone instead.
        if (Files.exists(Path.of(metadataDir, "meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(metadataDir)
                    .addDirectory(metadataDir)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format KRaft storage in " + metadataDir, e);
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ADMIN_TIMEOUT.toMillis()));
        return Admin.create(p);
    }

    private static void awaitLeaders(Admin admin, List<String> names)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = d.values().stream().flatMap(t -> t.partitions().stream())
                        .map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                // Metadata not propagated yet (UnknownTopicOrPartition); retry until the deadline.
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + names + " have no leader");
            }
            Thread.sleep(50);
        }
    }

    private void requireRunning() {
        requireOpen();
        if (server == null) {
            throw new IllegalStateException("embedded Kafka is stopped; call restart() first");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("embedded Kafka is closed; start a new one");
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + dataDir + (isRunning() ? ", running]" : ", stopped]");
    }
}
