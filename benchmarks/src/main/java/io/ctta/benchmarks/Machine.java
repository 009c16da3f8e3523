package io.ctta.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The machine a benchmark ran on, in one line, printed with every figure: a throughput means
 * nothing without the CPU and the cores the JVM could use
 * (each benchmark fixes libtorch's threads in its fork).
 */
public final class Machine {

    private Machine() {}

    /** E.g. {@code "Intel(R) Xeon(R) ... | 2 cores | Linux 6.1 amd64 | Java 17.0.12"}. */
    public static String describe() {
        return String.format(Locale.ROOT, "%s | %d cores | %s %s %s | Java %s", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"), System.getProperty("java.version"));
    }

    private static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the architecture still says something.
        }
        return "unknown CPU";
    }
}
