package io.ctta.actors.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.cli.RunCommand;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.reliability.ReliabilityKit;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The health probes, {@code /api/pipelines} and the exit decision of {@code ctta run} against real
 * pipelines on the in-process broker: a pipeline that cannot start fails the probes and the run,
 * or under keep-running only readiness; a crash-looping one is restarting (not ready, alive); a
 * healthy one turns ready. Every wait awaits a state transition.
 */
class PipelineHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(null);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aPipelineThatCannotStartFailsBothProbesAndTheRunExitsNonZero() throws Exception {
        kafka.createTopics(1, "exit-in");
        try (CttaRuntime runtime = start("", pipeline("exit-ok", "exit-in", "source"), pipeline("exit-bad", "exit-in", "refuse-create"))) {
            PipelineStatus bad = await(runtime, "exit-bad", s -> s.state() == PipelineState.FAILED);
            assertTrue(bad.lastError().startsWith("strategy refuse-create cannot be created: refused by the test"), bad.lastError());

            HttpResponse<String> ready = get(runtime, "/health/ready");
            assertEquals(503, ready.statusCode());
            JsonNode pipelines = JSON.readTree(ready.body()).get("pipelines");
            assertEquals("exit-bad", pipelines.get(1).get("name").asText());
            assertEquals("FAILED", pipelines.get(1).get("state").asText());
            assertTrue(pipelines.get(1).get("lastError").asText().contains("refused by the test"), ready.body());
            assertEquals(503, get(runtime, "/health/live").statusCode(), "on-pipeline-failure = exit: the process must go");
            assertEquals(503, get(runtime, "/health").statusCode(), "/health is live");
            assertEquals("down", JSON.readTree(get(runtime, "/health").body()).get("status").asText());

            // The supervisor records the failure after the state the probes read, on its own thread.
            runtime.fatalFailure().get(60, TimeUnit.SECONDS);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = RunCommand.serve(runtime, new CompletableFuture<>(), print(out), print(err));
            assertEquals(RunCommand.EXIT_PIPELINE_FAILED, status);
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("ctta: pipeline exit-bad stopped: strategy refuse-create cannot be created"),
                    err.toString(StandardCharsets.UTF_8));
            assertFalse(out.toString(StandardCharsets.UTF_8).contains("ctta running"), "never 'running' when it is about to exit");
        }
    }

    @Test
    void underKeepRunningTheOtherPipelineServesAndReadinessNamesTheFailedOne() throws Exception {
        List<String> ids = produce("keep-in", 96);
        try (CttaRuntime runtime = start("ctta.on-pipeline-failure = keep-running\n",
                pipeline("keep-ok", "keep-in", "source"), pipeline("keep-bad", "keep-in", "refuse-create"))) {
            await(runtime, "keep-bad", s -> s.state() == PipelineState.FAILED);
            try (KafkaConsumer<byte[], byte[]> c = consumer(Topics.predictions("keep-ok"))) {
                Set<String> seen = new HashSet<>();
                ReliabilityKit.collect(c, seen, ids.size());
                assertEquals(Set.copyOf(ids), seen, "the healthy pipeline served every record");
            }
            await(runtime, "keep-ok", s -> s.state() == PipelineState.RUNNING);

            HttpResponse<String> ready = get(runtime, "/health/ready");
            assertEquals(503, ready.statusCode());
            JsonNode body = JSON.readTree(ready.body());
            assertEquals("keep-running", body.get("onPipelineFailure").asText());
            assertEquals("RUNNING", body.get("pipelines").get(0).get("state").asText());
            assertEquals("keep-bad", body.get("pipelines").get(1).get("name").asText());
            assertEquals("FAILED", body.get("pipelines").get(1).get("state").asText());
            assertEquals(200, get(runtime, "/health/live").statusCode());
            assertFalse(runtime.fatalFailure().isDone(), "keep-running: the run goes on");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = RunCommand.serve(runtime, CompletableFuture.completedFuture("signal"), print(out), print(new ByteArrayOutputStream()));
            assertEquals(0, status);
            String said = out.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains("ctta running: keep-ok RUNNING, keep-bad FAILED (strategy refuse-create cannot be created"), said);
        }
    }

    @Test
    void aCrashLoopingPipelineIsRestartingNotReadyButAlive() throws Exception {
        produce("loop-in", 40);
        try (CttaRuntime runtime = start("", pipeline("loop", "loop-in", "crash-always"))) {
            PipelineStatus s = await(runtime, "loop", p -> p.state() == PipelineState.RESTARTING && p.attempt() >= 2);
            assertTrue(s.restarts() >= 2, s.toString());
            assertTrue(s.lastError().contains("injected crash"), s.lastError());

            HttpResponse<String> ready = get(runtime, "/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertEquals("RESTARTING", JSON.readTree(ready.body()).get("pipelines").get(0).get("state").asText());
            assertEquals(200, get(runtime, "/health/live").statusCode(), "restarting the process would not help a crash loop");

            JsonNode p = JSON.readTree(get(runtime, "/api/pipelines").body()).get(0);
            assertEquals("RESTARTING", p.get("state").asText());
            assertTrue(p.get("attempt").asInt() >= 2, p.toString());
            assertTrue(p.get("restarts").asInt() >= 2, p.toString());
            assertTrue(p.get("lastError").asText().contains("injected crash"), p.toString());
            assertEquals("crash-always", p.get("strategy").asText());
        }
    }

    @Test
    void aHealthyPipelineTurnsReadyAndPublishesTheBuiltinCnnContract() throws Exception {
        kafka.createTopics(1, "ready-in");
        try (CttaRuntime runtime = start("", pipeline("ready", "ready-in", "source"))) {
            runtime.states().when(all -> all.stream().allMatch(s -> s.state() == PipelineState.RUNNING)).get(120, TimeUnit.SECONDS);
            HttpResponse<String> ready = get(runtime, "/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(JSON.readTree(ready.body()).get("ready").asBoolean());
            assertEquals(200, get(runtime, "/health/live").statusCode());
            assertEquals(200, get(runtime, "/health").statusCode());

            HttpResponse<String> api = get(runtime, "/api/pipelines");
            assertEquals(200, api.statusCode());
            JsonNode p = JSON.readTree(api.body()).get(0);
            assertEquals("ready", p.get("name").asText());
            assertEquals("RUNNING", p.get("state").asText());
            assertEquals(0, p.get("restarts").asInt());
            assertTrue(p.get("lastError").isNull());
            assertTrue(p.has("lag") && p.get("lag").has("records"), p.toString());
            JsonNode c = p.get("inputContract");
            assertEquals("[1,28,28]", c.get("shape").toString());
            assertEquals("[\"uint8\",\"float32\"]", c.get("dtypes").toString());
            assertEquals(0, c.get("valueRange").get("min").asDouble());
            assertEquals(255, c.get("valueRange").get("max").asDouble(), "raw pixel values, as the model was trained");
            assertEquals("{\"scale\":0.003921569,\"mean\":[0.286],\"std\":[0.353]}", c.get("preprocessing").toString());
            assertEquals(10, c.get("numClasses").asInt());
            assertEquals("T-shirt/top", c.get("classes").get(0).asText());
            assertTrue(c.get("resize").isNull());
        }
    }

    private static CttaRuntime start(String extra, String... pipelines) {
        String hocon = "ctta.http { port = 0, host = \"127.0.0.1\" }\n"
                + "ctta.guards.collapse.enabled = false\n" + extra
                + "ctta.pipelines = [" + String.join(", ", pipelines) + "]\n";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
    }

    static String pipeline(String name, String input, String strategy) {
        return "{ name = " + name + ", input-topic = " + input + ", strategy = " + strategy
                + ", batch-size = 16, max-latency = 200ms, drift.detectors = [] }";
    }

    static PipelineStatus await(CttaRuntime runtime, String pipeline, Predicate<PipelineStatus> condition) throws Exception {
        List<PipelineStatus> all = runtime.states()
                .when(states -> states.stream().anyMatch(s -> s.name().equals(pipeline) && condition.test(s)))
                .get(120, TimeUnit.SECONDS);
        return all.stream().filter(s -> s.name().equals(pipeline)).findFirst().orElseThrow();
    }

    static HttpResponse<String> get(CttaRuntime runtime, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.httpPort() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    /** Creates {@code topic} and produces {@code count} random 28x28 uint8 images to it. */
    private static List<String> produce(String topic, int count) {
        kafka.createTopics(1, topic);
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        Random rnd = new Random(7);
        List<String> ids = new java.util.ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                float[] px = new float[784];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextInt(256);
                }
                InferenceRecord r = new InferenceRecord(topic + "-" + i, "k", i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                producer.send(new ProducerRecord<>(topic, null, "k".getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
                ids.add(r.id());
            }
            producer.flush();
        }
        return ids;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "health-check-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }
}
