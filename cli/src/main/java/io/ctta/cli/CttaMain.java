package io.ctta.cli;

import io.ctta.actors.cli.CttaCommand;
import io.ctta.benchmarks.BenchCommand;
import picocli.CommandLine;

/**
 * The {@code ctta} launcher's entry point: the runtime's commands plus {@code ctta bench} (the
 * harness depends on every other module). This module is the application: it puts the runtime, the
 * benchmarks and the embedded broker ({@link EmbeddedKafkaProvider}) on one classpath.
 */
public final class CttaMain {
    private CttaMain() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Every {@code ctta} command, ready to execute. */
    public static CommandLine commandLine() {
        CommandLine cl = CttaCommand.commandLine();
        cl.addSubcommand("bench", new BenchCommand());
        return cl;
    }
}
