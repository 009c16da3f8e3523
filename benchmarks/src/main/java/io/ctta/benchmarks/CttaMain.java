package io.ctta.benchmarks;

import io.ctta.actors.cli.CttaCommand;
import picocli.CommandLine;

/**
 * The {@code ctta} launcher's entry point: the runtime's commands plus {@code ctta bench}, which
 * lives here because the harness depends on every other module.
 */
public final class CttaMain {
    private CttaMain() {}

    public static void main(String[] args) {
        CommandLine cl = CttaCommand.commandLine();
        cl.addSubcommand("bench", new BenchCommand());
        System.exit(cl.execute(args));
    }
}
