package io.ctta.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import io.micrometer.core.instrument.Counter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The cluster view and admin routing with models per partition and per key. Two ctta nodes (two
 * {@link CttaRuntime}s with their own actor systems on loopback ports, in one JVM, over one
 * embedded broker, sharing one checkpoint directory) both run pipeline {@code ps} with {@code
 * scope = partition} over a 4-partition topic, with dynamic membership (no group-instance-id);
 * node A also runs {@code keyed} with {@code scope = key}. A's view lists each of the 4 partitions
 * once, on the node the group coordinator gave it to and whose model then predicts its records,
 * with that model's own version (TENT, so each partition's model adapts on its own); a
 * partition reset sent to A for a partition B serves is done by B's model of that partition alone;
 * a pipeline-wide reset reaches every partition's model on both nodes; A's keyed pipeline shows
 * its keys in memory and in files. The tests run in order on one cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartitionClusterViewTest {

    private static final String TOKEN = "partition-view-token-0123456789";
    private static final String PS = "ps";
    private static final int PARTITIONS = 4;
    private static final int KEYS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EmbeddedKafka kafka;
    private CttaRuntime a;
    private CttaRuntime b;
    private String groupId;
    /** Partition to the address of the node serving it, as A's view shows it once stable. */
    private Map<Integer, String> owners;

    @BeforeAll
    void startTwoNodes(@TempDir Path ckpt) throws Exception {
        kafka = EmbeddedKafka.start(null);
        kafka.createTopics(PARTITIONS, "ps.in");
        kafka.createTopics(1, "keyed.in");
        int portA = freePort();
        int portB = freePort();
        String seeds = "[\"127.0.0.1:" + portA + "\"]";
        String ps = "{ name = ps, input-topic = ps.in, strategy = tent, scope = partition, batch-size = 16, max-latency = 200ms,"
                + " session-timeout = 6s, drift.detectors = [] }";
        // An LRU of 2 states over 5 keys: 2 in memory, 3 in files.
        String keyed = "{ name = keyed, input-topic = keyed.in, strategy = norm, scope = key, key-states.max-resident = 2,"
                + " batch-size = 16, max-latency = 200ms, drift.detectors = [] }";
        CttaSettings settingsA = settings(portA, seeds, ckpt, "[" + ps + ", " + keyed + "]");
        groupId = settingsA.pipelines().get(0).groupId();
        a = CttaRuntime.start(settingsA, config(portA, seeds, ckpt, "[" + ps + ", " + keyed + "]"), StrategyRegistry.load(), kafka.bootstrapServers());
        b = CttaRuntime.start(settings(portB, seeds, ckpt, "[" + ps + "]"), config(portB, seeds, ckpt, "[" + ps + "]"), StrategyRegistry.load(),
                kafka.bootstrapServers());
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {b, a, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    @Test
    @Order(1)
    void theViewOnAListsEveryPartitionOnTheNodeThatServesIt() throws Exception {
        await(() -> upMembers(a) == 2 && upMembers(b) == 2, "both nodes Up");
        // Stable: every partition listed once, both nodes serving, and the coordinator's split of the
        // partitions between the group's two members is the view's split between the two nodes.
        JsonNode view = await(() -> cluster(a), v -> {
            Map<Integer, String> o = partitionOwners(v);
            return o != null && o.size() == PARTITIONS && new HashSet<>(o.values()).size() == 2
                    && split(o).equals(coordinatorSplit()) && allRunning(v);
        }, "A's view listing each of the 4 partitions once, split between A and B as the group coordinator split them");
        owners = partitionOwners(view);
        assertEquals(Set.of(a.address(), b.address()), new HashSet<>(owners.values()));
        for (JsonNode m : psModels(view)) {
            int p = m.get("partition").asInt();
            assertEquals("partition", m.get("scope").asText());
            assertEquals(PS + "-p" + p, m.get("model").asText());
            assertEquals("[" + p + "]", m.get("assigned").toString());
            assertEquals("tent", m.get("strategy").asText());
            assertEquals(0, m.get("keys").asLong());
        }
        // B's endpoint shows the same cluster once the Receptionist there lists A's agent too.
        Map<Integer, String> expected = owners;
        await(() -> cluster(b), v -> expected.equals(partitionOwners(v)), "B's endpoint showing the same partitions on the same nodes");

        // The view's owner of each partition is the node whose model predicts the partition's records.
        Map<Integer, Double> beforeA = predictions(a);
        Map<Integer, Double> beforeB = predictions(b);
        int perPartition = 8;
        // Two rounds: a TENT model publishes the version that predicted a batch, so the first batch shows 0.
        for (int round = 1; round <= 2; round++) {
            int wanted = round * perPartition;
            produce("ps.in", PARTITIONS * perPartition, i -> i % PARTITIONS, i -> "k" + i);
            await(() -> {
                Map<Integer, Double> nowA = predictions(a);
                Map<Integer, Double> nowB = predictions(b);
                for (int p = 0; p < PARTITIONS; p++) {
                    if (nowA.get(p) - beforeA.get(p) + nowB.get(p) - beforeB.get(p) < wanted) {
                        return false;
                    }
                }
                return true;
            }, "round " + round + "'s records predicted");
        }
        Map<Integer, Double> afterA = predictions(a);
        Map<Integer, Double> afterB = predictions(b);
        for (int p = 0; p < PARTITIONS; p++) {
            boolean onA = owners.get(p).equals(a.address());
            assertEquals(onA ? 2 * perPartition : 0, afterA.get(p) - beforeA.get(p), "partition " + p + " on A's model");
            assertEquals(onA ? 0 : 2 * perPartition, afterB.get(p) - beforeB.get(p), "partition " + p + " on B's model");
        }
        // Each partition's model version is its own model's, read on the node that serves it.
        JsonNode after = await(() -> cluster(a), v -> psModels(v).stream().allMatch(m -> m.get("modelVersion").asLong() > 0),
                "every partition's TENT model adapted");
        assertEquals(owners, partitionOwners(after), "no rebalance happened meanwhile");
        for (JsonNode m : psModels(after)) {
            int p = m.get("partition").asInt();
            CttaRuntime owner = owners.get(p).equals(a.address()) ? a : b;
            assertEquals(gauge(owner, "ctta.model.version", PS + "-p" + p), m.get("modelVersion").asDouble(), "partition " + p + "'s model version");
        }
    }

    @Test
    @Order(2)
    void aPartitionResetSentToAReachesBsModelOfThatPartition() throws Exception {
        int partition = owners.entrySet().stream().filter(e -> e.getValue().equals(b.address())).findFirst().orElseThrow().getKey();
        List<ILoggingEvent> resets = resetsLoggedWhile(() -> {
            HttpResponse<String> reply = post(a, "/admin/pipelines/ps/partitions/" + partition + "/reset");
            assertEquals(202, reply.statusCode(), reply.body());
            assertEquals("pipeline ps partition " + partition + ": reset to the source weights\nacted on: " + b.address() + "\n", reply.body());
        }, 1);
        ILoggingEvent reset = resets.get(0);
        assertEquals(b.address(), reset.getMDCPropertyMap().get("pekkoAddress"), "the model actor that reset is B's");
        assertTrue(reset.getMDCPropertyMap().get("pekkoSource").contains("/model-p" + partition + "-"),
                "the model actor of partition " + partition + ": " + reset.getMDCPropertyMap().get("pekkoSource"));

        // A partition A serves acts on A; a partition nobody serves is 404.
        int onA = owners.entrySet().stream().filter(e -> e.getValue().equals(a.address())).findFirst().orElseThrow().getKey();
        HttpResponse<String> local = post(a, "/admin/pipelines/ps/partitions/" + onA + "/checkpoint");
        assertEquals(202, local.statusCode(), local.body());
        assertTrue(local.body().endsWith("acted on: " + a.address() + "\n"), local.body());
        HttpResponse<String> none = post(b, "/admin/pipelines/ps/partitions/" + PARTITIONS + "/reset");
        assertEquals(404, none.statusCode(), none.body());
        assertEquals("no pipeline named ps holding partition " + PARTITIONS + " on any of the 2 nodes\n", none.body());
    }

    @Test
    @Order(3)
    void aPipelineResetReachesEveryPartitionsModelOnBothNodes() throws Exception {
        List<ILoggingEvent> resets = resetsLoggedWhile(() -> {
            HttpResponse<String> reply = post(b, "/admin/pipelines/ps/reset");
            assertEquals(202, reply.statusCode(), reply.body());
            assertTrue(reply.body().contains(a.address()) && reply.body().contains(b.address()), reply.body());
        }, PARTITIONS);
        Map<Integer, String> reset = new TreeMap<>();
        for (ILoggingEvent e : resets) {
            String source = e.getMDCPropertyMap().get("pekkoSource");
            int p = Integer.parseInt(source.replaceAll(".*/model-p(\\d+)-\\d+$", "$1"));
            reset.put(p, e.getMDCPropertyMap().get("pekkoAddress"));
        }
        assertEquals(new TreeMap<>(owners), reset, "each partition's model reset once, on its node");
    }

    @Test
    @Order(4)
    void aKeyScopedPipelineShowsItsKeysInMemoryAndInFiles() throws Exception {
        produce("keyed.in", 40, i -> 0, i -> "cam-" + (i % KEYS));
        JsonNode keyed = await(() -> model(cluster(b), a.address(), "keyed"), m -> m != null && m.get("keys").asLong() == KEYS,
                "A's keyed pipeline holding " + KEYS + " keys, as B's view shows it");
        assertEquals("key", keyed.get("scope").asText());
        assertEquals("keyed", keyed.get("model").asText());
        assertTrue(keyed.get("partition").isNull());
        assertEquals(2.0, gauge(a, "ctta.key.states.resident", "keyed"), "2 in memory");
        assertEquals(3.0, gauge(a, "ctta.key.states.spilled", "keyed"), "3 in files: the view counts both");
        JsonNode ps = model(cluster(a), a.address(), PS);
        assertEquals(0, ps.get("keys").asLong(), "partition scope keeps no state per key");
    }

    private interface Action {
        void run() throws Exception;
    }

    /**
     * The model actors' "resetting" lines logged for {@code action}, which must reach exactly
     * {@code expected} models: the node agents log each model they tell before they answer, so
     * when the HTTP reply is back their lines are all there; the models' lines then follow.
     */
    private List<ILoggingEvent> resetsLoggedWhile(Action action, int expected) throws Exception {
        Logger modelLog = (Logger) LoggerFactory.getLogger(io.ctta.actors.model.ModelActor.class);
        Logger agentLog = (Logger) LoggerFactory.getLogger(NodeAgent.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        modelLog.addAppender(logged);
        agentLog.addAppender(logged);
        try {
            action.run();
            List<ILoggingEvent> told = matching(logged, e -> e.getLoggerName().equals(NodeAgent.class.getName())
                    && e.getFormattedMessage().contains(": admin request"));
            assertEquals(expected, told.size(), "models the node agents told: " + told);
            await(() -> resets(logged).size() >= expected, expected + " model actor(s) logging the reset");
            List<ILoggingEvent> out = resets(logged);
            assertEquals(expected, out.size(), "model actors that reset: " + out);
            return out;
        } finally {
            modelLog.detachAppender(logged);
            agentLog.detachAppender(logged);
        }
    }

    private static List<ILoggingEvent> resets(ListAppender<ILoggingEvent> logged) {
        return matching(logged, e -> e.getLoggerName().equals(io.ctta.actors.model.ModelActor.class.getName())
                && e.getFormattedMessage().startsWith("resetting ") && e.getFormattedMessage().contains("admin request"));
    }

    private static List<ILoggingEvent> matching(ListAppender<ILoggingEvent> logged, java.util.function.Predicate<ILoggingEvent> which) {
        // Appended to from the actors' threads.
        synchronized (logged) {
            return List.copyOf(logged.list.stream().filter(which).toList());
        }
    }

    /** Partition to node address from a view; null when a partition is listed twice (a hand-over in progress). */
    private static Map<Integer, String> partitionOwners(JsonNode view) {
        Map<Integer, String> out = new TreeMap<>();
        for (JsonNode n : view.get("nodes")) {
            for (JsonNode m : n.get("models")) {
                if (m.get("pipeline").asText().equals(PS) && !m.get("partition").isNull()
                        && out.put(m.get("partition").asInt(), n.get("address").asText()) != null) {
                    return null;
                }
            }
        }
        return out;
    }

    private static List<JsonNode> psModels(JsonNode view) {
        List<JsonNode> out = new ArrayList<>();
        view.get("nodes").forEach(n -> n.get("models").forEach(m -> {
            if (m.get("pipeline").asText().equals(PS)) {
                out.add(m);
            }
        }));
        return out;
    }

    private static boolean allRunning(JsonNode view) {
        return psModels(view).stream().allMatch(m -> m.get("state").asText().equals("RUNNING"));
    }

    private static JsonNode model(JsonNode view, String address, String pipeline) {
        for (JsonNode n : view.get("nodes")) {
            if (n.get("address").asText().equals(address)) {
                for (JsonNode m : n.get("models")) {
                    if (m.get("pipeline").asText().equals(pipeline)) {
                        return m;
                    }
                }
            }
        }
        return null;
    }

    /** The partitions of each node, as a set of sets (the nodes unnamed). */
    private static Set<Set<Integer>> split(Map<Integer, String> owners) {
        return owners.entrySet().stream().collect(Collectors.groupingBy(Map.Entry::getValue,
                Collectors.mapping(Map.Entry::getKey, Collectors.toCollection(TreeSet::new)))).values().stream()
                .map(Set::copyOf).collect(Collectors.toSet());
    }

    /** The partitions of each member of ps's consumer group, as the group coordinator reports them. */
    private Set<Set<Integer>> coordinatorSplit() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(groupId)).all().get(10, TimeUnit.SECONDS).get(groupId);
            Set<Set<Integer>> out = new HashSet<>();
            for (MemberDescription m : g.members()) {
                out.add(m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals("ps.in"))
                        .map(TopicPartition::partition).collect(Collectors.toSet()));
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe group " + groupId, e);
        }
    }

    private static Map<Integer, Double> predictions(CttaRuntime node) {
        Map<Integer, Double> out = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            Counter c = node.registry().find("ctta.predictions").tag("pipeline", PS + "-p" + p).counter();
            out.put(p, c == null ? 0 : c.count());
        }
        return out;
    }

    private static double gauge(CttaRuntime node, String meter, String pipeline) {
        return node.registry().find(meter).tag("pipeline", pipeline).gauge().value();
    }

    private static CttaSettings settings(int port, String seeds, Path ckpt, String pipelines) {
        StrategyRegistry registry = StrategyRegistry.load();
        return CttaSettings.fromConfig(config(port, seeds, ckpt, pipelines).getConfig("ctta"), registry.names()::contains, registry.names());
    }

    private static Config config(int port, String seeds, Path ckpt, String pipelines) {
        String hocon = "ctta.http { port = 0, admin-token = \"" + TOKEN + "\" }\n"
                // Two cluster members in one JVM: each registers its own JMX bean.
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "ctta.cluster { enabled = true, port = " + port + ", seed-nodes = " + seeds + " }\n"
                // One checkpoint directory for both nodes: a partition's model moves with its checkpoint.
                + "ctta.checkpoints { dir = \"" + ckpt + "\", every-records = 16 }\n"
                + "ctta.guards.collapse.enabled = false\n"
                + "ctta.pipelines = " + pipelines + "\n";
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long upMembers(CttaRuntime node) {
        return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up()).count();
    }

    private static JsonNode cluster(CttaRuntime node) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/api/cluster")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> post(CttaRuntime node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Read<T> {
        T get() throws Exception;
    }

    /** Reads until {@code ok} holds for what was read; fails after 90 s with the last value. */
    private static <T> T await(Read<T> read, java.util.function.Predicate<T> ok, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        T last = read.get();
        while (!ok.test(last)) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; last: " + last);
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            last = read.get();
        }
        return last;
    }

    private static void await(BooleanSupplier done, String what) throws Exception {
        await(done::getAsBoolean, ok -> ok, what);
    }

    /** {@code count} random 28x28 UINT8 images, record i to {@code partition(i)} with key {@code key(i)}; waits for every ack. */
    private void produce(String topic, int count, java.util.function.IntUnaryOperator partition, java.util.function.IntFunction<String> key)
            throws Exception {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        Random rnd = new Random(5);
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                float[] px = new float[784];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextInt(256);
                }
                String k = key.apply(i);
                InferenceRecord r = new InferenceRecord(topic + "-" + i, k, i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                acks.add(producer.send(new ProducerRecord<>(topic, partition.applyAsInt(i), k.getBytes(StandardCharsets.UTF_8), codec.encode(r),
                        RecordCodec.headersFor())));
            }
            for (var ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
