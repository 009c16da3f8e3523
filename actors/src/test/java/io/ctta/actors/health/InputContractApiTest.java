package io.ctta.actors.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/pipelines} publishes a TorchScript model's input contract as its sidecar describes
 * it (shape, accepted sizes, resize, range, preprocessing, class names), so a client can discover
 * what to send; a sidecar whose class names do not match its class count refuses to start.
 */
class InputContractApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aTorchScriptModelsContractComesFromItsSidecar(@TempDir Path dir) throws Exception {
        List<String> names = IntStream.range(0, 10).mapToObj(i -> "animal-" + i).toList();
        Path model = withClasses(dir, names);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "frames");
            try (CttaRuntime runtime = start(kafka, model)) {
                JsonNode p = JSON.readTree(PipelineHealthTest.get(runtime, "/api/pipelines").body()).get(0);
                assertEquals("frames-source", p.get("name").asText());
                JsonNode c = p.get("inputContract");
                assertEquals("resnet-rgb-v1", c.get("modelVersion").asText());
                assertEquals("[3,32,32]", c.get("shape").toString());
                assertEquals("[-1,-1,-1]", c.get("acceptedShape").toString(), "RGB or grey frames of any size");
                assertTrue(c.get("resize").asText().contains("32"), c.toString());
                assertEquals(255, c.get("valueRange").get("max").asDouble());
                assertEquals(3, c.get("preprocessing").get("mean").size());
                assertEquals(10, c.get("numClasses").asInt());
                assertEquals(names, JSON.convertValue(c.get("classes"), List.class));
                assertEquals("[\"application/x-ctta-record\",\"application/json\"]", c.get("encodings").toString());
            }
        }
    }

    @Test
    void classNamesThatDoNotMatchTheClassCountRefuseToStart(@TempDir Path dir) throws Exception {
        Path model = withClasses(dir, List.of("cat", "dog"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> io.ctta.runtime.model.ModelSpec.torchScript(model));
        assertEquals("resnet-rgb.pt.json: key 'classes' must name each of the 10 classes (numClasses), got 2 names", e.getMessage());
    }

    /** The resnet-rgb fixture copied to {@code dir}, its sidecar with {@code "classes"} added. */
    private static Path withClasses(Path dir, List<String> names) throws Exception {
        Path model = Files.copy(TorchScriptFixtures.file("resnet-rgb.pt"), dir.resolve("resnet-rgb.pt"));
        JsonNode sidecar = JSON.readTree(TorchScriptFixtures.file("resnet-rgb.pt.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) sidecar).set("classes", JSON.valueToTree(names));
        Files.writeString(dir.resolve("resnet-rgb.pt.json"), JSON.writeValueAsString(sidecar));
        return model;
    }

    private static CttaRuntime start(EmbeddedKafka kafka, Path model) {
        String hocon = "ctta.http { port = 0, host = \"127.0.0.1\" }\n"
                + "ctta.model { kind = torchscript, path = \"" + model + "\" }\n"
                + "ctta.pipelines = [" + PipelineHealthTest.pipeline("frames-source", "frames", "source") + "]\n";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
    }
}
