package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.FashionMnistData;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.kafka.KafkaSettings;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the client examples of docs/clients.md, as a client writer would, against a real pipeline
 * (a TorchScript model, feedback enabled) on the in-process broker: the Python producer
 * (confluent-kafka) sends Fashion-MNIST test images as JSON and as binary records, the Python
 * consumer prints the predictions, which are the model's own for those pixels; the Python
 * feedback producer's labels are joined to them; the dead letters of a bad input record and a bad
 * feedback record carry short reasons. Then the kcat scripts do the same with their own records.
 * A record of 0..1 floats is served and counted as suspect. Skipped where python3 with
 * confluent_kafka (Debian: python3-confluent-kafka) is missing; the kcat half is skipped without
 * kcat. .ci/run installs both.
 */
class ClientExamplesTest {

    private static final String PIPELINE = "clients";
    private static final int IMAGES = 32;
    private static final Pattern PREDICTION = Pattern.compile("^id=(\\S+) class=(\\d+) label=(\\S+) model=(\\d+) partition=(\\d+) offset=(\\d+)$");

    @Test
    void theExamplesProduceConsumeAndSendFeedbackAgainstARealPipeline(@TempDir Path dir) throws Exception {
        String python = pythonWithConfluentKafka();
        assumeTrue(python != null, "python3 with confluent_kafka is not installed (apt-get install python3-confluent-kafka)");
        Path examples = examplesDir();
        FashionMnistData data = FashionMnistData.load(false, IMAGES);
        Map<String, Integer> expected = new HashMap<>();
        try (AdaptiveModel model = TorchScriptFixtures.model("cnn-twin.pt")) {
            int[] y = new int[1];
            for (int i = 0; i < IMAGES; i++) {
                expected.put("img-" + i, model.predict(data.batch(i, 1, y)).predictedClass(0));
            }
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "frames");
            try (CttaRuntime runtime = startPipeline(kafka)) {
                String bootstrap = kafka.bootstrapServers();
                Path py = examples.resolve("python");
                // Half the images as JSON with their labels inline, half as binary records whose labels come later.
                run(dir, python, py.resolve("produce.py").toString(), "--bootstrap", bootstrap, "--topic", "frames",
                        "--start", "0", "--count", String.valueOf(IMAGES / 2));
                run(dir, python, py.resolve("produce.py").toString(), "--bootstrap", bootstrap, "--topic", "frames",
                        "--start", String.valueOf(IMAGES / 2), "--count", String.valueOf(IMAGES / 2), "--format", "binary", "--no-labels");
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(new KafkaSettings(bootstrap, Map.of()).producer(),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    // What a client gets wrong: no eventTime, and an image scaled to 0..1.
                    producer.send(new ProducerRecord<>("frames", utf8("cam-1"), utf8("{\"id\":\"bad\",\"features\":[1]}"))).get();
                    producer.send(new ProducerRecord<>("frames", utf8("cam-1"), utf8(unitRangeImage(data)))).get();
                }

                List<String> lines = run(dir, python, py.resolve("consume.py").toString(), "--bootstrap", bootstrap,
                        "--pipeline", PIPELINE, "--count", String.valueOf(IMAGES + 1)).lines().toList();
                Map<String, Integer> served = new HashMap<>();
                for (String line : lines) {
                    Matcher m = PREDICTION.matcher(line);
                    assertTrue(m.matches(), line);
                    served.put(m.group(1), Integer.parseInt(m.group(2)));
                    if (m.group(1).startsWith("img-")) {
                        int i = Integer.parseInt(m.group(1).substring(4));
                        assertEquals(i < IMAGES / 2 ? String.valueOf(data.labels()[i]) : "-", m.group(3), line);
                    }
                }
                assertTrue(served.remove("unit-0") != null, "a record of 0..1 floats is still served: " + lines);
                assertEquals(expected, served, "the Python client's images are predicted as the model predicts their pixels");
                assertEquals(1.0, counter(runtime, "ctta.input.range.suspect", "pipeline", PIPELINE).count(),
                        "the 0..1 image, and only it, is counted as suspect");

                run(dir, python, py.resolve("feedback.py").toString(), "--bootstrap", bootstrap, "--pipeline", PIPELINE,
                        "--start", String.valueOf(IMAGES / 2), "--count", String.valueOf(IMAGES / 2));
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(new KafkaSettings(bootstrap, Map.of()).producer(),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(PIPELINE + ".feedback", utf8("img-0"),
                            utf8("{\"id\":\"img-0\",\"label\":\"seven\",\"eventTimeMs\":1}"))).get();
                }
                awaitMatched(runtime, IMAGES / 2);

                String dead = run(dir, python, py.resolve("consume.py").toString(), "--bootstrap", bootstrap,
                        "--pipeline", PIPELINE, "--dead-letters", "--count", "2");
                assertTrue(dead.contains("topic=frames partition=0 offset=" + IMAGES + " reason=missing field: eventTime"), dead);
                assertTrue(dead.contains("topic=clients.feedback partition=0 offset=" + IMAGES / 2
                        + " reason=undecodable feedback: label must be an integer"), dead);

                if (Files.isExecutable(Path.of("/usr/bin/kcat"))) {
                    kcatExamples(dir, examples.resolve("kcat"), bootstrap, runtime, data);
                }
            }
        }
    }

    /** The code docs/clients.md quotes is the code this test runs: every python and sh block is in an example file. */
    @Test
    void theCodeQuotedInTheGuideIsTheExamplesCode() throws IOException {
        Path examples = examplesDir();
        String guide = Files.readString(examples.resolveSibling("clients.md"));
        Map<String, String> sources = new HashMap<>();
        for (String lang : new String[] {"python", "sh"}) {
            StringBuilder all = new StringBuilder();
            try (var files = Files.list(examples.resolve(lang.equals("sh") ? "kcat" : "python"))) {
                for (Path f : files.sorted().toList()) {
                    all.append(Files.readString(f)).append('\n');
                }
            }
            sources.put(lang, all.toString());
        }
        Matcher block = Pattern.compile("```(python|sh)\n(.*?)```", Pattern.DOTALL).matcher(guide);
        int quoted = 0;
        while (block.find()) {
            assertTrue(sources.get(block.group(1)).contains(block.group(2)), "docs/clients.md quotes code no example has:\n" + block.group(2));
            quoted++;
        }
        assertTrue(quoted >= 8, "only " + quoted + " quoted blocks found");
    }

    /** kcat/produce.sh, consume.sh, feedback.sh and dead-letters.sh, on the pipeline the Python clients used. */
    private static void kcatExamples(Path dir, Path kcat, String bootstrap, CttaRuntime runtime, FashionMnistData data) throws Exception {
        Path records = kcat.resolve("records.txt");
        Map<String, Integer> expected = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (AdaptiveModel model = TorchScriptFixtures.model("cnn-twin.pt")) {
            for (String line : Files.readAllLines(records)) {
                JsonNode r = json.readTree(line.substring(line.indexOf(':') + 1));
                float[] pixels = new float[28 * 28];
                for (int p = 0; p < pixels.length; p++) {
                    pixels[p] = r.get("features").get(p).floatValue();
                }
                expected.put(r.get("id").asText(), model.predict(new InputBatch(1, new int[] {1, 28, 28}, pixels)).predictedClass(0));
            }
        }
        run(dir, "sh", kcat.resolve("produce.sh").toString(), bootstrap, "frames", records.toString());
        int total = IMAGES + 1 + expected.size();
        Map<String, Integer> served = new HashMap<>();
        for (String line : run(dir, "sh", kcat.resolve("consume.sh").toString(), bootstrap, PIPELINE, String.valueOf(total)).split("\n")) {
            JsonNode p = json.readTree(line);
            if (expected.containsKey(p.get("id").asText())) {
                served.put(p.get("id").asText(), p.get("predictedClass").asInt());
            }
        }
        assertEquals(expected, served, "kcat's records are predicted as the model predicts their pixels");
        run(dir, "sh", kcat.resolve("feedback.sh").toString(), bootstrap, PIPELINE, "kcat-100", "3");
        awaitMatched(runtime, IMAGES / 2 + 1);
        String dead = run(dir, "sh", kcat.resolve("dead-letters.sh").toString(), bootstrap, PIPELINE, "2");
        assertTrue(dead.contains("ctta.dlq.reason=missing field: eventTime"), dead);
        assertTrue(dead.contains("ctta.dlq.reason=undecodable feedback: label must be an integer"), dead);
    }

    private static CttaRuntime startPipeline(EmbeddedKafka kafka) {
        Config user = ConfigFactory.empty()
                .withValue("ctta.http.enabled", ConfigValueFactory.fromAnyRef(false))
                .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(TorchScriptFixtures.file("cnn-twin.pt").toString()))
                .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(List.of(Map.of(
                        "name", PIPELINE, "input-topic", "frames", "strategy", "source", "batch-size", 8,
                        "feedback", Map.of("enabled", true)))));
        Config full = user.withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
    }

    /** Test image 0 as a client that scaled it to 0..1 sends it: JSON float32. */
    private static String unitRangeImage(FashionMnistData data) {
        StringBuilder features = new StringBuilder();
        for (int p = 0; p < 28 * 28; p++) {
            features.append(p == 0 ? "" : ",").append(data.pixels()[p] / 255f);
        }
        return "{\"id\":\"unit-0\",\"eventTime\":1,\"shape\":[1,28,28],\"features\":[" + features + "]}";
    }

    private static Counter counter(CttaRuntime runtime, String name, String tag, String value) {
        Counter c = runtime.registry().find(name).tag(tag, value).counter();
        assertTrue(c != null, name + " is not registered");
        return c;
    }

    private static void awaitMatched(CttaRuntime runtime, int labels) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Counter matched = counter(runtime, "ctta.feedback.labels", "outcome", "matched");
        while (matched.count() < labels) {
            assertTrue(System.nanoTime() < deadline, "only " + matched.count() + " of " + labels + " labels were joined");
            Thread.sleep(50);
        }
    }

    /** The python3 that imports confluent_kafka: the one on PATH, else Debian's (python3-confluent-kafka). */
    private static String pythonWithConfluentKafka() throws InterruptedException {
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import confluent_kafka").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
                p.destroyForcibly();
            } catch (IOException notInstalled) {
                // try the next one
            }
        }
        return null;
    }

    /** docs/examples, from the module directory the tests run in or the repository root. */
    private static Path examplesDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs/examples/python"))) {
                return p.resolve("docs/examples");
            }
        }
        throw new AssertionError("docs/examples not found above " + Path.of("").toAbsolutePath());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs a command with a deadline; its standard output, or a failure with its error output. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder b = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectOutput(out.toFile()).redirectError(err.toFile());
        b.environment().put("PYTHONDONTWRITEBYTECODE", "1");  // leave no __pycache__ in docs/examples
        Process p = b.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + Files.readString(err) + Files.readString(out));
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
