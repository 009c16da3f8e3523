package io.ctta.benchmarks.continual;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/** One line saying where a benchmark ran: CPU count, OS, JVM and the load when it started. */
final class MachineInfo {

    private MachineInfo() {}

    /** E.g. {@code 2 CPUs (amd64), Linux 6.1, Java 17.0.12, load average 3.20 at start}. */
    static String describe() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%d CPUs (%s), %s %s, Java %s, load average %s at start",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load));
    }
}
