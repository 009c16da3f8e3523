package io.ctta.actors.cli;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import io.ctta.runtime.model.torchscript.TorchScriptArchive;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ctta model}: tools for users' models. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Tools for your own model.",
        subcommands = {ModelCommand.Inspect.class, CommandLine.HelpCommand.class})
public final class ModelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ctta model inspect FILE.pt}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Prints a TorchScript model's description (its FILE.pt.json), modules, parameters and buffers,"
                    + " exported methods, and for every strategy what it would adapt or why it refuses the model.")
    public static final class Inspect implements Callable<Integer> {

        @Parameters(paramLabel = "FILE.pt", description = "The TorchScript file (with FILE.pt.json beside it).")
        Path file;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu:N or auto (default ${DEFAULT-VALUE}).")
        String device;

        @Override
        public Integer call() {
            ModelSpec spec = ModelSpec.torchScript(file);
            try (AdaptiveModel model = AdaptiveModel.create(spec, Device.parse(device), 1)) {
                print(model, StrategyRegistry.load(), System.out);
            }
            return 0;
        }
    }

    /** The report for {@code model}; strategies are created on copies of it. */
    static void print(AdaptiveModel model, StrategyRegistry registry, PrintStream out) {
        ModelSpec s = model.spec();
        out.printf("model       %s (%s)%n", s.path(), s.version());
        out.printf("input       %s, values x %s then (x - mean) / std: mean %s, std %s%s%n", Arrays.toString(s.inputShape()),
                s.preprocessing().scale(), Arrays.toString(s.preprocessing().mean()), Arrays.toString(s.preprocessing().std()),
                s.geometry().acceptsAnySize() ? "; records of any size: " + s.geometry() : "");
        out.printf("classes     %d%n", s.numClasses());
        out.printf("methods     %s%n", String.join(", ", model.exportedMethods()));
        TorchScriptArchive archive = model.torchScriptArchive();
        if (archive != null) {
            out.println("modules");
            for (TorchScriptArchive.Module m : archive.modules()) {
                out.printf("  %-28s %-20s %s%s%n", m.path().isEmpty() ? "(root)" : m.path(), m.typeName(),
                        m.training() ? "train" : "eval", m.buffers().isEmpty() ? "" : "  buffers " + m.buffers());
            }
        }
        out.println("parameters");
        model.namedParameters().forEach((name, p) -> out.printf("  %-36s %-14s %s%n", name, p.getArray().getShape(),
                p.getType()));
        out.println("strategies");
        SourceData source = probeSource(s);
        for (String name : registry.names()) {
            out.printf("  %-14s %s%n", name, assess(name, model, registry, source));
        }
    }

    /** What {@code strategy} would adapt on {@code model}, or why it refuses it (its own message). */
    private static String assess(String strategy, AdaptiveModel model, StrategyRegistry registry, SourceData source) {
        AdaptiveModel copy = model.copy();
        // Cheap settings: what is checked here is whether the strategy accepts the model, not its warm-up.
        String settings = switch (strategy) {
            case "ecotta" -> "warmup.max-steps = 1, warmup.batch-size = 2";
            case "rmt" -> "warmup-samples = 2, source-batch-size = 2, prototype-samples = 2";
            default -> "";
        };
        try (AdaptationStrategy s = registry.create(strategy, new StrategyContext(copy,
                ConfigFactory.parseString(settings), 1, source))) {
            return "ok: " + adapts(strategy, model);
        } catch (RuntimeException e) {
            copy.close();
            return "refuses: " + e.getMessage();
        }
    }

    private static String adapts(String strategy, AdaptiveModel model) {
        long all = count(model, model.namedParameters().keySet().stream()
                .filter(n -> model.learnable().test(n, model.namedParameters().get(n))).toList());
        return switch (strategy) {
            case "source" -> "nothing (the model as exported, eval mode)";
            case "norm" -> "BatchNorm statistics of " + model.parameterNames(ParameterSelector::isRunningStatistic).size() / 2
                    + " layer(s), from each test batch";
            case "tent" -> count(model, model.parameterNames(ParameterSelector.batchNormAffine()))
                    + " normalisation affine values " + model.parameterNames(ParameterSelector.batchNormAffine());
            case "ecotta" -> "meta networks between its " + model.stages().count() + " stages (frozen model)";
            case "rmt" -> all + " values (every weight), plus an EMA teacher and a projector on its features";
            case "reloop2" -> "nothing in the model: an error memory that corrects its outputs";
            default -> all + " values (every weight), from labels";
        };
    }

    private static long count(AdaptiveModel model, List<String> names) {
        Map<String, ai.djl.nn.Parameter> p = model.namedParameters();
        return names.stream().mapToLong(n -> p.get(n).getArray().size()).sum();
    }

    /** A few random labelled samples of the model's shape, standing in for source data. */
    private static SourceData probeSource(ModelSpec s) {
        int per = io.ctta.runtime.data.InputBatch.sampleLength(s.inputShape());
        SplittableRandom r = new SplittableRandom(7);
        float range = 1f / Math.abs(s.preprocessing().scale());
        float[] x = new float[4 * per];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * range);
        }
        int[] y = new int[4];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % s.numClasses();
        }
        return new SourceData(x, s.inputShape(), y);
    }
}
