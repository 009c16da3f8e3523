package io.ctta.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import io.ctta.actors.health.PipelineState;
import io.ctta.actors.health.PipelineStatus;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sbr.SplitBrainResolverProvider;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * Two ctta nodes, each a real {@link CttaRuntime} with its own actor system on its own loopback
 * port, in one JVM, over one embedded broker: node A (the seed) runs pipeline alpha, node B runs
 * pipeline beta. Membership forms from the seed node; /api/cluster on A lists B's pipeline, its
 * partitions and state; an admin reset sent to A for beta reaches B's model actor (its log line
 * carries B's address); the Split Brain Resolver is the running systems' downing provider; and B,
 * closed as ctta run's SIGTERM hook closes it, is seen leaving only after its pipeline drained and
 * wrote its final checkpoint, then disappears from A's view. The tests run in order on one cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {

    private static final String TOKEN = "cluster-test-token-0123456789";
    private static final int RECORDS = 48;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EmbeddedKafka kafka;
    private CttaRuntime a;
    private CttaRuntime b;
    private Path ckptB;

    @BeforeAll
    void startTwoNodes(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        kafka = EmbeddedKafka.start(null);
        kafka.createTopics(2, "alpha.in");
        kafka.createTopics(2, "beta.in");
        int portA = freePort();
        int portB = freePort();
        String seeds = "[\"127.0.0.1:" + portA + "\"]";
        ckptB = dir.resolve("b");
        a = node(portA, seeds, "[front]", "alpha", dir.resolve("a"));
        b = node(portB, seeds, "[gpu, zone-b]", "beta", ckptB);
        produce("beta.in", RECORDS);
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
    void membershipFormsFromTheSeedNode() throws Exception {
        await(() -> upMembers(a) == 2 && upMembers(b) == 2, "both nodes Up in both nodes' membership");
        assertTrue(b.address().startsWith("pekko://ctta@127.0.0.1:"), b.address());
        JsonNode view = await(() -> cluster(a), v -> v.get("nodes").size() == 2 && answered(v) == 2, "A's view lists both nodes, both answering");
        assertTrue(view.get("clustered").asBoolean());
        assertEquals(a.address(), view.get("self").asText());
        JsonNode nodeB = node(view, b.address()).orElseThrow();
        assertEquals("Up", nodeB.get("status").asText());
        assertEquals("[\"gpu\",\"zone-b\"]", nodeB.get("roles").toString(), "configured roles, without Pekko's dc-default");
        assertTrue(nodeB.get("reachable").asBoolean());
    }

    @Test
    @Order(2)
    void apiClusterOnAListsTheModelsOfB() throws Exception {
        // B's consumer holds both partitions of beta.in: the group coordinator says so under B's group.instance.id.
        JsonNode view = await(() -> cluster(a), v -> node(v, b.address()).map(n -> n.get("models").size() == 1
                && n.get("models").get(0).get("state").asText().equals("RUNNING")
                && n.get("models").get(0).get("assigned").size() == 2).orElse(false), "B's beta RUNNING with its partitions in A's view");
        JsonNode beta = node(view, b.address()).orElseThrow().get("models").get(0);
        assertEquals("beta", beta.get("pipeline").asText());
        assertTrue(beta.get("partition").isNull(), "one model for the pipeline, not per partition");
        assertEquals("[0,1]", beta.get("assigned").toString());
        assertEquals("source", beta.get("strategy").asText());
        assertEquals(0, beta.get("keys").asInt());
        JsonNode alpha = node(view, a.address()).orElseThrow().get("models").get(0);
        assertEquals("alpha", alpha.get("pipeline").asText());
        assertTrue(node(view, a.address()).orElseThrow().get("self").asBoolean());
        // Every node's endpoint gives the same cluster: B lists A's pipeline (once B's Receptionist
        // lists A's agent and A's agent answered B's ask: B's view is gathered apart from A's).
        JsonNode fromB = await(() -> cluster(b), v -> node(v, a.address()).map(n -> n.get("answered").asBoolean() && n.get("models").size() == 1)
                .orElse(false), "B's view listing A, answering");
        assertEquals("alpha", node(fromB, a.address()).orElseThrow().get("models").get(0).get("pipeline").asText());
    }

    @Test
    @Order(3)
    void anAdminResetSentToAForBsPipelineReachesBsModelActor() throws Exception {
        Logger modelLog = (Logger) LoggerFactory.getLogger(io.ctta.actors.model.ModelActor.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        modelLog.addAppender(logged);
        try {
            HttpResponse<String> reply = post(a, "/admin/pipelines/beta/reset");
            assertEquals(202, reply.statusCode(), reply.body());
            assertTrue(reply.body().contains("acted on: " + b.address()), reply.body());
            assertFalse(reply.body().contains(a.address()), "A does not run beta: " + reply.body());
            await(() -> logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("admin request via " + a.address())),
                    "B's model actor logging the reset");
            ILoggingEvent reset = logged.list.stream().filter(e -> e.getFormattedMessage().contains("admin request via " + a.address()))
                    .findFirst().orElseThrow();
            assertEquals(b.address(), reset.getMDCPropertyMap().get("pekkoAddress"), "the model actor that reset is B's");
        } finally {
            modelLog.detachAppender(logged);
        }
        // A partition routes to the node whose consumer holds it; one nobody holds, and a pipeline nobody runs, are 404.
        HttpResponse<String> partition = post(a, "/admin/pipelines/beta/partitions/1/checkpoint");
        assertEquals(202, partition.statusCode(), partition.body());
        assertTrue(partition.body().contains("acted on: " + b.address()), partition.body());
        assertEquals(404, post(a, "/admin/pipelines/beta/partitions/7/reset").statusCode());
        assertEquals(404, post(a, "/admin/pipelines/gamma/reset").statusCode());
        // A's own pipeline still acts locally.
        HttpResponse<String> local = post(a, "/admin/pipelines/alpha/switch/norm");
        assertEquals(202, local.statusCode(), local.body());
        assertTrue(local.body().contains("acted on: " + a.address()), local.body());
    }

    @Test
    @Order(4)
    void theSplitBrainResolverIsTheDowningProvider() {
        for (CttaRuntime node : List.of(a, b)) {
            org.apache.pekko.cluster.Cluster classic = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(node.system()));
            assertEquals(ClusterMembership.SPLIT_BRAIN_RESOLVER, classic.settings().DowningProviderClassName());
            assertInstanceOf(SplitBrainResolverProvider.class, classic.downingProvider(), "the provider the running cluster uses");
            Config config = node.system().settings().config();
            assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
            assertEquals(Duration.ofSeconds(20), config.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        }
    }

    @Test
    @Order(5)
    void crossNodeMessagesTravelAsJson() {
        var serialization = org.apache.pekko.serialization.SerializationExtension.get(Adapter.toClassic(a.system()));
        for (Object message : List.of(new NodeAgent.Describe(null), new NodeView("x", List.of()), new ActResult("x", true, 1), AdminAction.reset())) {
            assertInstanceOf(org.apache.pekko.serialization.jackson.JacksonJsonSerializer.class, serialization.findSerializerFor(message),
                    message.getClass().getSimpleName());
        }
    }

    @Test
    @Order(6)
    void aNodeLeavingGracefullyDrainsFirstThenDisappearsFromTheView() throws Exception {
        await(() -> counter(b, "ctta.predictions", "beta") >= RECORDS, "B predicting every beta record");
        // What B had done when A first saw it leave, read at that moment by an actor on A.
        CompletableFuture<String> whenSeenLeaving = new CompletableFuture<>();
        var watcher = a.system().systemActorOf(Behaviors.<ClusterEvent.MemberEvent>receiveMessage(e -> {
            if (e.member().address().toString().equals(b.address()) && e.member().status() != MemberStatus.up()
                    && e.member().status() != MemberStatus.joining() && !whenSeenLeaving.isDone()) {
                whenSeenLeaving.complete(e.member().status() + ": " + states(b) + "; checkpoint applied " + applied());
            }
            return Behaviors.same();
        }), "leave-watcher", org.apache.pekko.actor.typed.Props.empty());
        Cluster.get(a.system()).subscriptions().tell(Subscribe.create(watcher, ClusterEvent.MemberEvent.class));

        CompletableFuture<Void> closed = CompletableFuture.runAsync(b::close);
        String seen = whenSeenLeaving.get(60, TimeUnit.SECONDS);
        assertEquals("Leaving: beta STOPPED; checkpoint applied " + RECORDS, seen,
                "B is seen leaving only after beta drained and its final checkpoint covers every record");
        closed.get(60, TimeUnit.SECONDS);

        JsonNode view = await(() -> cluster(a), v -> v.get("nodes").size() == 1, "A's view without B");
        assertEquals(a.address(), view.get("nodes").get(0).get("address").asText());
        assertEquals(1, upMembers(a));
    }

    private CttaRuntime node(int port, String seeds, String roles, String pipeline, Path ckpt) throws Exception {
        Files.createDirectories(ckpt);
        String hocon = "ctta.http { port = 0, admin-token = \"" + TOKEN + "\" }\n"
                // Two cluster members in one JVM: each registers its own JMX bean.
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "ctta.cluster { enabled = true, port = " + port + ", seed-nodes = " + seeds + ", roles = " + roles + " }\n"
                // Only the drain writes a checkpoint: the one the leave test looks for.
                + "ctta.checkpoints { dir = \"" + ckpt + "\", every-records = 0, interval = 0s }\n"
                + "ctta.guards.collapse.enabled = false\n"
                + "ctta.pipelines = [{ name = " + pipeline + ", input-topic = " + pipeline + ".in, strategy = source, batch-size = 16,"
                + " max-latency = 200ms, session-timeout = 6s, drift.detectors = [], group-instance-id = node-" + port + " }]\n";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
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

    private static String states(CttaRuntime node) {
        return String.join(", ", node.states().all().stream().map(s -> s.name() + " " + s.state()).toList());
    }

    private long applied() {
        try {
            Optional<Checkpoint> latest = new FileCheckpointStore(ckptB, "beta").load().latest();
            return latest.map(Checkpoint::recordsApplied).orElse(-1L);
        } catch (Exception e) {
            return -2;
        }
    }

    private static double counter(CttaRuntime node, String meter, String pipeline) {
        Counter c = node.registry().find(meter).tag("pipeline", pipeline).counter();
        return c == null ? 0 : c.count();
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

    private static Optional<JsonNode> node(JsonNode view, String address) {
        for (JsonNode n : view.get("nodes")) {
            if (n.get("address").asText().equals(address)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    private static int answered(JsonNode view) {
        int n = 0;
        for (JsonNode node : view.get("nodes")) {
            n += node.get("answered").asBoolean() ? 1 : 0;
        }
        return n;
    }

    private interface Read<T> {
        T get() throws Exception;
    }

    /** Reads until {@code ok} holds for what was read; fails after 60 s with the last value. */
    private static <T> T await(Read<T> read, java.util.function.Predicate<T> ok, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
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

    /** {@code count} random 28x28 UINT8 images, record i to partition i mod 2; waits for every ack. */
    private void produce(String topic, int count) throws Exception {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        Random rnd = new Random(3);
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                float[] px = new float[784];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextInt(256);
                }
                InferenceRecord r = new InferenceRecord("x-" + i, "k" + i, i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                acks.add(producer.send(new ProducerRecord<>(topic, i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8), codec.encode(r),
                        RecordCodec.headersFor())));
            }
            for (var ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
