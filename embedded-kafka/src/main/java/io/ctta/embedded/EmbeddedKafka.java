package io.ctta.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.plain.PlainLoginModule;
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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * An in-process, single-node Kafka broker in KRaft mode (one process acting as broker and
 * controller), started from {@code kafka_2.13} main code only, so the runtime can ship it without the
 * broker test kit. It listens on 127.0.0.1, PLAINTEXT, with replication factors of 1 and automatic
 * topic creation off.
 *
 * <p>Started with a {@link Sasl}, the client port speaks SASL_PLAINTEXT with mechanism PLAIN and
 * knows only the given users, so tests can exercise the runtime's authentication path (right and
 * wrong passwords) without an external cluster. Inter-broker traffic uses the same listener as the
 * admin user, so no unauthenticated client port is open; the controller listener stays PLAINTEXT
 * on its own port. There is no authorizer: every authenticated user may do everything. PLAIN sends
 * passwords in clear text, which is acceptable on loopback only; this is a test broker.
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
    /** The client listener's name with SASL; also its security protocol. */
    private static final String SASL_LISTENER = "SASL_PLAINTEXT";
    /** Bound on one broker shutdown; past it the broker threads are abandoned, not waited for. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** How often the broker tells its controller it is alive (Kafka's default: 2 s). */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(500);
    /** What a crash costs the next start, at most (Kafka's default: 9 s); see {@link #brokerProperties}. */
    static final Duration SESSION_TIMEOUT = Duration.ofMillis(2500);

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final int defaultPartitions;
    /** Null: the client listener is PLAINTEXT. */
    private final Sasl sasl;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, boolean ownsDataDir, int brokerPort, int controllerPort,
                          int defaultPartitions, Sasl sasl) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.defaultPartitions = defaultPartitions;
        this.sasl = sasl;
    }

    /**
     * Users of a SASL_PLAINTEXT/PLAIN client listener. The admin user is the broker's own identity:
     * inter-broker requests and {@link #createTopics} authenticate as it. {@link #toString()} does not
     * print passwords.
     *
     * @param adminUser     the broker's own user
     * @param adminPassword its password
     * @param users         further users, name to password (copied)
     */
    public record Sasl(String adminUser, String adminPassword, Map<String, String> users) {

        /** User names become JAAS option names ({@code user_<name>}), so they stay plain words. */
        private static final Pattern USER = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

        public Sasl {
            checkUser(adminUser);
            checkPassword(adminUser, adminPassword);
            Map<String, String> copy = new TreeMap<>();
            for (Map.Entry<String, String> e : Objects.requireNonNull(users, "users").entrySet()) {
                checkUser(e.getKey());
                checkPassword(e.getKey(), e.getValue());
                if (e.getKey().equals(adminUser)) {
                    throw new IllegalArgumentException("user '" + adminUser + "' is the admin user; give it once");
                }
                copy.put(e.getKey(), e.getValue());
            }
            users = Collections.unmodifiableMap(copy);
        }

        /** Only the admin user. */
        public static Sasl plain(String adminUser, String adminPassword) {
            return new Sasl(adminUser, adminPassword, Map.of());
        }

        /** These users plus {@code name}. */
        public Sasl withUser(String name, String password) {
            Map<String, String> more = new TreeMap<>(users);
            if (more.put(name, password) != null) {
                throw new IllegalArgumentException("user '" + name + "' is already defined");
            }
            return new Sasl(adminUser, adminPassword, more);
        }

        /**
         * What a client needs to log in as {@code user} on a SASL_PLAINTEXT/PLAIN listener:
         * {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config}. The password
         * need not be a known one (tests log in with wrong passwords on purpose).
         */
        public static Map<String, String> clientProperties(String user, String password) {
            checkUser(user);
            checkPassword(user, password);
            Map<String, String> p = new TreeMap<>();
            p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SASL_LISTENER);
            p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            p.put(SaslConfigs.SASL_JAAS_CONFIG, PlainLoginModule.class.getName() + " required username="
                    + quote(user) + " password=" + quote(password) + ";");
            return Collections.unmodifiableMap(p);
        }

        /** The listener's JAAS line: the broker's own login, then one {@code user_<name>} per user. */
        String brokerJaasConfig() {
            StringBuilder sb = new StringBuilder(PlainLoginModule.class.getName()).append(" required username=")
                    .append(quote(adminUser)).append(" password=").append(quote(adminPassword))
                    .append(" user_").append(adminUser).append('=').append(quote(adminPassword));
            users.forEach((u, pw) -> sb.append(" user_").append(u).append('=').append(quote(pw)));
            return sb.append(';').toString();
        }

        /** JAAS values are double-quoted; backslash and quote are escaped as the JAAS parser expects. */
        private static String quote(String v) {
            return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }

        private static void checkUser(String user) {
            if (user == null || !USER.matcher(user).matches()) {
                throw new IllegalArgumentException("SASL user name must match " + USER.pattern() + ", was '" + user + "'");
            }
        }

        private static void checkPassword(String user, String password) {
            // The password itself never goes into a message.
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("password of SASL user '" + user + "' is empty");
            }
            if (password.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("password of SASL user '" + user + "' contains a control character");
            }
        }

        @Override
        public String toString() {
            return "Sasl[PLAIN, admin=" + adminUser + ", users=" + users.keySet() + "]";
        }
    }

    /** Starts a broker on a free port; {@code dataDir == null} means a temporary directory deleted on close. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Starts a broker on {@code port} (0 = pick a free one), default 1 partition per topic. */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, 1);
    }

    /** Starts a PLAINTEXT broker; see {@link #start(Path, int, int, Sasl)}. */
    public static EmbeddedKafka start(Path dataDir, int port, int defaultPartitions) {
        return start(dataDir, port, defaultPartitions, null);
    }

    /** Starts a broker on a free port whose client listener is SASL_PLAINTEXT/PLAIN with {@code sasl}'s users. */
    public static EmbeddedKafka start(Path dataDir, Sasl sasl) {
        return start(dataDir, 0, 1, Objects.requireNonNull(sasl, "sasl"));
    }

    /**
     * Starts a broker.
     *
     * @param dataDir           storage directory (formatted on first use, reused afterwards), or
     *                          {@code null} for a temporary one deleted on {@link #close}
     * @param port              client port on 127.0.0.1, or 0 to pick a free one
     * @param defaultPartitions {@code num.partitions}: partitions of topics created without a count
     * @param saslOrNull        users of a SASL_PLAINTEXT/PLAIN client listener, or {@code null} for PLAINTEXT
     * @throws IllegalStateException if the broker does not come up (message says why)
     */
    public static EmbeddedKafka start(Path dataDir, int port, int defaultPartitions, Sasl saslOrNull) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("defaultPartitions must be >= 1, was " + defaultPartitions);
        }
        if (port != 0 && !portIsFree(port)) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use (another broker, or another ctta run?)");
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
                    defaultPartitions, saslOrNull);
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

    /** Whether the client listener is SASL_PLAINTEXT (else PLAINTEXT). */
    public boolean saslEnabled() {
        return sasl != null;
    }

    /**
     * Client settings for the admin user: {@code security.protocol}, {@code sasl.mechanism} and
     * {@code sasl.jaas.config} with SASL, an empty map with PLAINTEXT. Add them to bootstrap servers.
     */
    public Map<String, String> clientProperties() {
        return sasl == null ? Map.of() : Sasl.clientProperties(sasl.adminUser(), sasl.adminPassword());
    }

    /**
     * Client settings to log in as {@code user} with {@code password}, right or wrong; see
     * {@link Sasl#clientProperties}.
     *
     * @throws IllegalStateException on a PLAINTEXT broker, which has no users
     */
    public Map<String, String> clientProperties(String user, String password) {
        if (sasl == null) {
            throw new IllegalStateException("this embedded Kafka listens PLAINTEXT and has no users; start it with a Sasl");
        }
        return Sasl.clientProperties(user, password);
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
        String client = sasl == null ? "PLAINTEXT" : SASL_LISTENER;
        p.put("listeners", client + "://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                + controllerPort);
        p.put("advertised.listeners", client + "://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", client);
        p.put("listener.security.protocol.map", client + ":" + client + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
        if (sasl != null) {
            // The broker's own login (inter-broker) and the users it accepts, on the client listener only.
            p.put("sasl.enabled.mechanisms", "PLAIN");
            p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            p.put("listener.name." + SASL_LISTENER.toLowerCase(Locale.ROOT) + ".plain.sasl.jaas.config",
                    sasl.brokerJaasConfig());
        }
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
        // Fast restarts after a crash. A broker stopped cleanly is fenced on its way out; one killed
        // (kill -9, OOM, power) stays registered, and the controller, replaying that registration
        // on the next start, counts its session as alive for broker.session.timeout.ms from then:
        // until it lapses every registration of the new broker incarnation is refused
        // (DuplicateBrokerRegistrationException) and no client is served. Kafka's 9 s default
        // made a restart after kill -9 take 7-9 s longer than one after a clean stop. In one
        // process, broker and controller talk over loopback: a 2.5 s session (5 heartbeats of
        // 500 ms) still survives a long GC pause, and a missed one only fences the broker until
        // its next heartbeat.
        p.put("broker.heartbeat.interval.ms", Long.toString(HEARTBEAT_INTERVAL.toMillis()));
        p.put("broker.session.timeout.ms", Long.toString(SESSION_TIMEOUT.toMillis()));
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
        p.putAll(clientProperties());
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

    private static boolean portIsFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            // As the broker binds: reuse-address, so a port left in TIME_WAIT by a killed broker counts as free.
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
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
        return "EmbeddedKafka[" + bootstrapServers() + (sasl == null ? "" : " SASL_PLAINTEXT") + ", " + dataDir
                + (isRunning() ? ", running]" : ", stopped]");
    }
}
