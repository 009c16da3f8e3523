package io.ctta.actors.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.ConfigFiles;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.InvalidConfigException;
import io.ctta.runtime.adapt.StrategyRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import io.ctta.actors.pipeline.PipelineFailures;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctta run}: the pipelines of a HOCON file, until interrupted. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Runs the pipelines of a HOCON config until Ctrl-C, then drains them. "
                + "Without ctta.kafka.bootstrap-servers (or --bootstrap) an embedded broker is started.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "HOCON file with a ctta { pipelines = [...] } block.")
    Path config;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers (overrides ctta.kafka.bootstrap-servers).")
    String bootstrap;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client setting, e.g. security.protocol=SASL_SSL (repeatable).")
    Map<String, String> kafkaProperties;

    @Override
    public Integer call() throws Exception {
        CttaRuntime runtime = start(config, bootstrap, kafkaProperties);
        CompletableFuture<Object> ended = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            ended.complete("signal");
            runtime.close();
        }, "ctta-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        runtime.failures().firstFailure().thenAccept(ended::complete);
        System.out.println("ctta running; Ctrl-C drains the pipelines and stops.");
        Object why = ended.get();
        if (why instanceof PipelineFailures.Failure f) {
            // A pipeline stopped for good: say why, stop the others and exit non-zero.
            System.err.println("ctta: " + f);
            Runtime.getRuntime().removeShutdownHook(hook);
            runtime.close();
            return 2;
        }
        // The hook closes the runtime; wait for it before the JVM's other hooks run.
        hook.join();
        return 0;
    }

    /** Loads, validates and starts; shared with tests. */
    public static CttaRuntime start(Path config, String bootstrap, Map<String, String> kafkaProperties) {
        Config user = ConfigFiles.parse(config);
        if (bootstrap != null) {
            user = user.withValue("ctta.kafka.bootstrap-servers", ConfigValueFactory.fromAnyRef(bootstrap));
        }
        if (kafkaProperties != null) {
            for (var e : kafkaProperties.entrySet()) {
                user = user.withValue("ctta.kafka.client-properties.\"" + e.getKey() + "\"", ConfigValueFactory.fromAnyRef(e.getValue()));
            }
        }
        Config full = ConfigFiles.withDefaults(user);
        StrategyRegistry registry = StrategyRegistry.load();
        // The whole file, every strategy's and detector's settings included, before anything starts;
        // CttaRuntime.start then checks the model files before it starts a broker.
        CttaSettings settings = validate(full, registry);
        return CttaRuntime.start(settings, full, registry, null);
    }

    /** The settings of a full config, refusing one without pipelines (there would be nothing to run). */
    static CttaSettings validate(Config full, StrategyRegistry registry) {
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry);
        if (settings.pipelines().isEmpty()) {
            throw new InvalidConfigException("ctta.pipelines", "[]", "at least one pipeline { name = ..., input-topic = ..., strategy = ... }");
        }
        return settings;
    }
}
