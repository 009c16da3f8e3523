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
import io.ctta.actors.health.PipelineState;
import io.ctta.actors.health.PipelineStatus;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctta run}: the pipelines of a HOCON file, until interrupted. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Runs the pipelines of a HOCON config until Ctrl-C, then drains them. "
                + "Without ctta.kafka.bootstrap-servers (or --bootstrap) an embedded broker is started. "
                + "Exits with status 4 and the reason when a pipeline stops for good, unless ctta.on-pipeline-failure = keep-running.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "HOCON file with a ctta { pipelines = [...] } block.")
    Path config;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers (overrides ctta.kafka.bootstrap-servers).")
    String bootstrap;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client setting, e.g. security.protocol=SASL_SSL (repeatable).")
    Map<String, String> kafkaProperties;

    /**
     * The exit status when a pipeline stopped for good under {@code ctta.on-pipeline-failure = exit}
     * (2 is an invalid setting or command line, 3 an unreachable Kafka).
     */
    public static final int EXIT_PIPELINE_FAILED = 4;

    @Override
    public Integer call() throws Exception {
        CttaRuntime runtime = start(config, bootstrap, kafkaProperties);
        CompletableFuture<Object> signal = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            signal.complete("signal");
            runtime.close();
        }, "ctta-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int status = serve(runtime, signal, System.out, System.err);
        if (status != 0) {
            // A pipeline stopped for good: stop the others, then exit with the status.
            Runtime.getRuntime().removeShutdownHook(hook);
            runtime.close();
            return status;
        }
        // The hook closes the runtime; wait for it before the JVM's other hooks run.
        hook.join();
        return 0;
    }

    /**
     * What {@code ctta run} does between starting the runtime and closing it: waits until every
     * pipeline has left STARTING and says in one line how each is (so "running" is never printed
     * for pipelines that are not), then waits for {@code signal} or a pipeline that stops for good
     * ({@link CttaRuntime#fatalFailure()}, only under {@code on-pipeline-failure = exit}).
     *
     * @return 0 after {@code signal}, {@link #EXIT_PIPELINE_FAILED} after a failure (its reason printed to {@code err})
     */
    public static int serve(CttaRuntime runtime, CompletableFuture<?> signal, PrintStream out, PrintStream err) {
        out.println("ctta starting " + runtime.states().all().size() + " pipeline(s); /health/ready answers 200 once all run");
        CompletableFuture<?> started = runtime.states().started();
        CompletableFuture.anyOf(started, runtime.fatalFailure(), signal).join();
        if (started.isDone() && !runtime.fatalFailure().isDone()) {
            out.println("ctta running: " + describe(runtime.states().all()) + "; Ctrl-C drains the pipelines and stops.");
        }
        CompletableFuture.anyOf(runtime.fatalFailure(), signal).join();
        if (runtime.fatalFailure().isDone() && !signal.isDone()) {
            err.println("ctta: " + runtime.fatalFailure().join() + "; exiting with status " + EXIT_PIPELINE_FAILED
                    + " (ctta.on-pipeline-failure = keep-running keeps the other pipelines serving)");
            return EXIT_PIPELINE_FAILED;
        }
        return 0;
    }

    /** One line: each pipeline, its state, and for one that is not running, why. */
    static String describe(List<PipelineStatus> all) {
        return all.stream().map(s -> s.name() + " " + s.state()
                        + (s.state() == PipelineState.RESTARTING ? " (attempt " + s.attempt() + ": " + s.lastError() + ")"
                        : s.state() == PipelineState.FAILED ? " (" + s.lastError() + ")" : ""))
                .collect(Collectors.joining(", "));
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
