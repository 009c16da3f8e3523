package io.ctta.actors.cli;

import io.ctta.actors.config.InvalidConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ctta}: the top-level command; every subcommand has {@code --help}. */
@Command(
        name = "ctta",
        mixinStandardHelpOptions = true,
        version = "ctta 0.1.0",
        description = "Keeps deployed models accurate while their input streams drift: Kafka in, a live DJL model adapted online, predictions and metrics out.",
        subcommands = {DemoCommand.class, RunCommand.class, ReplayCommand.class, TrainCommand.class, ModelCommand.class,
                ConfigCommand.class,
                CommandLine.HelpCommand.class})
public final class CttaCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with error handling that prints a clear message instead of a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CttaCommand());
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            if (ex instanceof io.ctta.actors.pipeline.PipelineStoppedException) {
                line.getErr().println("error: " + ex.getMessage());
                return RunCommand.EXIT_PIPELINE_FAILED;
            }
            if (ex instanceof InvalidConfigException || ex instanceof IllegalArgumentException) {
                line.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof io.ctta.actors.KafkaUnavailableException) {
                line.getErr().println("error: " + ex.getMessage());
                return 3;
            }
            line.getErr().println("error: " + ex);
            ex.printStackTrace(line.getErr());
            return 1;
        });
        return cl;
    }
}
