package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A strategy that cannot be created for the model (tent on a model without normalisation layers)
 * stops its pipeline for good at once, with the strategy's own reason, instead of restarting in a
 * loop while the process looks healthy; the other pipelines are untouched and the runtime still
 * closes promptly.
 */
class StrategyCreationFailureTest {

    @Test
    void thePipelineStopsAtOnceWithTheReason() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "cams");
            Config user = ConfigFactory.empty()
                    .withValue("ctta.http.enabled", ConfigValueFactory.fromAnyRef(false))
                    .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                    .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(TorchScriptFixtures.file("mlp-no-bn.pt").toString()))
                    .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(List.of(
                            Map.of("name", "cams-source", "input-topic", "cams", "strategy", "source"),
                            Map.of("name", "cams-tent", "input-topic", "cams", "strategy", "tent"))));
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            StrategyRegistry registry = StrategyRegistry.load();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
            long closed;
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                PipelineFailures.Failure f = runtime.failures().firstFailure().get(60, TimeUnit.SECONDS);
                assertEquals("cams-tent", f.pipeline());
                assertTrue(f.reason().startsWith("strategy tent cannot be created: tent adapts the affine scale and shift"
                        + " of normalisation layers"), f.reason());
                assertTrue(f.reason().contains("(its layers: Flatten, Linear x2, ReLU)"), f.reason());
                assertEquals(1, runtime.failures().all().size(), "the source pipeline runs on");
                closed = System.nanoTime();
            }
            assertTrue(System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(25),
                    "closing must not wait for the stopped pipeline to drain");
        }
    }
}
