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
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client ctta did not write: kcat (librdkafka, C) produces JSON records typed by hand into a
 * topic, a pipeline serving a user's TorchScript model predicts them, and kcat reads the
 * predictions and the dead letters back. The predictions are the model's own on the same pixels;
 * a malformed line is dead-lettered with its reason, and the records around it are served.
 * Skipped where kcat is not installed (.ci/run installs it).
 */
class KcatClientTest {

    private static final int RECORDS = 40;

    @Test
    void recordsProducedByKcatArePredictedAndReadBackByKcat(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kcat")), "kcat is not installed (.ci/run installs it)");
        FashionMnistData data = FashionMnistData.load(false, RECORDS);
        int[] y = new int[1];
        StringBuilder lines = new StringBuilder();
        Map<String, Integer> expected = new HashMap<>();
        try (AdaptiveModel model = TorchScriptFixtures.model("cnn-twin.pt")) {
            for (int i = 0; i < RECORDS; i++) {
                float[] pixels = data.batch(i, 1, y).features();
                StringBuilder features = new StringBuilder();
                for (int p = 0; p < pixels.length; p++) {
                    features.append(p == 0 ? "" : ",").append(Math.round(pixels[p]));
                }
                lines.append("cam:{\"id\":\"k-").append(i).append("\",\"eventTime\":").append(1000 + i)
                        .append(",\"label\":").append(y[0]).append(",\"dtype\":\"uint8\",\"shape\":[1,28,28],\"features\":[")
                        .append(features).append("]}\n");
                ModelOutput out = model.predict(data.batch(i, 1, y));
                expected.put("k-" + i, out.predictedClass(0));
                if (i == RECORDS / 2) {
                    lines.append("cam:{\"id\":\"broken\",\"eventTime\":5,\"features\":[1,2,\n");
                }
            }
        }
        Path input = dir.resolve("records.txt");
        Files.writeString(input, lines);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "frames");
            run(dir, "kcat", "-b", kafka.bootstrapServers(), "-t", "frames", "-P", "-K", ":", "-l", input.toString());
            Config user = ConfigFactory.empty()
                    .withValue("ctta.http.enabled", ConfigValueFactory.fromAnyRef(false))
                    .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                    .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(TorchScriptFixtures.file("cnn-twin.pt").toString()))
                    .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(List.of(
                            Map.of("name", "kc", "input-topic", "frames", "strategy", "source", "batch-size", 8))));
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            StrategyRegistry registry = StrategyRegistry.load();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                // kcat waits (-c N) until the pipeline has published every prediction.
                String predictions = run(dir, "kcat", "-b", kafka.bootstrapServers(), "-C", "-t", Topics.predictions("kc"),
                        "-o", "beginning", "-c", String.valueOf(RECORDS), "-f", "%s\\n");
                ObjectMapper json = new ObjectMapper();
                Map<String, Integer> served = new HashMap<>();
                for (String line : predictions.split("\n")) {
                    if (!line.isBlank()) {
                        JsonNode p = json.readTree(line);
                        served.put(p.get("id").asText(), p.get("predictedClass").asInt());
                    }
                }
                assertEquals(expected, served, "kcat's records are predicted as the model predicts their pixels");
                String dead = run(dir, "kcat", "-b", kafka.bootstrapServers(), "-C", "-t", Topics.deadLetters("kc"),
                        "-o", "beginning", "-c", "1", "-f", "%h\\n");
                assertTrue(dead.contains("ctta.dlq.reason=malformed JSON"), dead);
            }
        }
    }

    /** Runs a command with a deadline; its standard output, or a failure with its error output. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + Files.readString(err));
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
