package io.ctta.benchmarks.tta;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Why a benchmark worker JVM failed, read from its log: the message of the exception that ended it. */
final class WorkerFailure {

    private static final String UNCAUGHT = "Exception in thread \"main\" ";

    private WorkerFailure() {}

    /**
     * The message of the uncaught exception in {@code log} without its class name, e.g. "ecotta runs
     * the frozen model partition by partition, but ..."; the last line of the log when there is none.
     */
    static String reason(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "its log " + log + " cannot be read: " + e.getMessage();
        }
        for (String line : lines) {
            if (line.startsWith(UNCAUGHT)) {
                String thrown = line.substring(UNCAUGHT.length());
                int colon = thrown.indexOf(": ");
                return colon < 0 ? thrown : thrown.substring(colon + 2);
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).trim();
            }
        }
        return "it exited without a message";
    }
}
