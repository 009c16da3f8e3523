package io.ctta.actors;

import io.ctta.actors.cli.CttaCommand;
import picocli.CommandLine;

/** The {@code ctta} command-line entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = CttaCommand.commandLine().execute(args);
        System.exit(code);
    }
}
