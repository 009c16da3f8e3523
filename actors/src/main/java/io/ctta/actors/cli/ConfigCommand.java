package io.ctta.actors.cli;

import com.typesafe.config.Config;
import io.ctta.actors.config.ConfigFiles;
import io.ctta.actors.config.CttaSchema;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.InvalidConfigException;
import io.ctta.actors.model.ModelSource;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.config.ConfigProblem;
import io.ctta.runtime.config.SettingsListing;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ctta config}: checks a file the way {@code ctta run} would, or lists every declared setting. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Checks a configuration file, or lists every setting with its type, default, range and doc.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Defaults.class})
public final class ConfigCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ctta config check FILE}: every check {@code ctta run} makes before it starts anything. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validates FILE as ctta run would before it starts anything (every setting, every strategy's and"
                    + " detector's settings, the model files); prints OK or every problem, one per line; exit 2 on problems.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "HOCON file with a ctta { ... } block")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                Config full = ConfigFiles.withDefaults(ConfigFiles.parse(file));
                StrategyRegistry registry = StrategyRegistry.load();
                CttaSettings.Checked checked = CttaSettings.check(full.getConfig("ctta"), registry);
                if (checked.settings().pipelines().isEmpty()) {
                    throw new InvalidConfigException("ctta.pipelines", "[]", "at least one pipeline { name = ..., input-topic = ..., strategy = ... }");
                }
                // The same checks ctta run makes before its broker starts: paths, root, SHA-256, a trial load.
                new ModelSource(checked.settings().model());
                out.printf("OK: %d pipelines, %d settings checked%n", checked.settings().pipelines().size(), checked.settingsChecked());
                return 0;
            } catch (InvalidConfigException e) {
                if (e.problems().size() > 1) {
                    err.println(file + ": " + e.problems().size() + " problems");
                }
                for (ConfigProblem p : e.problems()) {
                    err.println(e.problems().size() == 1 ? e.getMessage() : "  " + p);
                }
                return 2;
            }
        }
    }

    /** {@code ctta config defaults}: generated from the declarations, so it cannot drift from the code. */
    @Command(name = "defaults", mixinStandardHelpOptions = true,
            description = "Prints every declared setting: KEY = DEFAULT (TYPE; RANGE) DOC, block by block.")
    static final class Defaults implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            StrategyRegistry registry = StrategyRegistry.load();
            SettingsListing listing = listing(registry);
            PrintWriter out = spec.commandLine().getOut();
            out.print(listing);
            out.printf("%n# %d settings declared%n", listing.count());
            return 0;
        }
    }

    /** Every declaration: the ctta block, a pipeline entry, a drift detector entry and each detector's settings. */
    static SettingsListing listing(StrategyRegistry registry) {
        return CttaSchema.listing(registry);
    }
}
