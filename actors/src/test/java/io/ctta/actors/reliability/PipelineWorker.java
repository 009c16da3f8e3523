package io.ctta.actors.reliability;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A pipeline in a child JVM, for crash tests: args are bootstrap servers, input topic, pipeline
 * name, checkpoint root, strategy, and optionally the output mode and a TorchScript model file
 * (default: the built-in CNN). It runs until killed; SIGTERM drains it and writes a final
 * checkpoint. {@code -Dio.ctta.test.checkpoint-crash-at=STEP} makes the first checkpoint write halt the
 * JVM at that step of the protocol.
 */
public final class PipelineWorker {
    /** The pipeline's session-timeout (HOCON duration), 6s unless this system property says otherwise. */
    static final String SESSION_TIMEOUT_PROPERTY = "io.ctta.test.worker.session-timeout";
    /** The pipeline's scope (pipeline unless this system property says otherwise). */
    static final String SCOPE_PROPERTY = "io.ctta.test.worker.scope";
    /** The pipeline's key-states.max-resident (the default unless this system property says otherwise). */
    static final String MAX_RESIDENT_PROPERTY = "io.ctta.test.worker.max-resident";
    /** More keys of the pipeline's entry, as HOCON (e.g. {@code scope = partition}). */
    static final String PIPELINE_PROPERTY = "io.ctta.test.worker.pipeline";
    /** The model's kind (e.g. {@code mlp:784-300-150-10}) when it is neither the built-in CNN nor a TorchScript file. */
    static final String MODEL_KIND_PROPERTY = "io.ctta.test.worker.model-kind";

    private PipelineWorker() {}

    public static void main(String[] args) throws Exception {
        // More keys of the pipeline entry (HOCON), e.g. "scope = partition, batch-size = 16".
        Map<String, Object> pipeline = new java.util.HashMap<>(Map.of(
                "name", args[2], "input-topic", args[1], "strategy", args[4], "batch-size", 64, "max-latency", "5s",
                "session-timeout", System.getProperty(SESSION_TIMEOUT_PROPERTY, "6s"),
                "output", Map.of("mode", args.length > 5 ? args[5] : "at-least-once"),
                "scope", System.getProperty(SCOPE_PROPERTY, "pipeline"),
                "key-states", Map.of("max-resident", Integer.getInteger(MAX_RESIDENT_PROPERTY, 1000))));
        pipeline.putAll(ConfigFactory.parseString(System.getProperty(PIPELINE_PROPERTY, "")).root().unwrapped());
        Config user = ConfigFactory.empty()
                .withValue("ctta.kafka.bootstrap-servers", ConfigValueFactory.fromAnyRef(args[0]))
                .withValue("ctta.http.enabled", ConfigValueFactory.fromAnyRef(false))
                .withValue("ctta.checkpoints.dir", ConfigValueFactory.fromAnyRef(args[3]))
                .withValue("ctta.checkpoints.every-records", ConfigValueFactory.fromAnyRef(128))
                .withValue("ctta.checkpoints.interval", ConfigValueFactory.fromAnyRef("0s"))
                .withValue("ctta.guards.collapse.enabled", ConfigValueFactory.fromAnyRef(false))
                .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(List.of(pipeline)));
        if (System.getProperty(MODEL_KIND_PROPERTY) != null) {
            user = user.withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef(System.getProperty(MODEL_KIND_PROPERTY)));
        }
        if (args.length > 6) {
            user = user.withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                    .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(args[6]));
        }
        Config full = user.withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        CttaRuntime runtime = CttaRuntime.start(settings, full, registry, null);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            done.countDown();
        }));
        System.out.println("WORKER STARTED");
        done.await();
    }
}
