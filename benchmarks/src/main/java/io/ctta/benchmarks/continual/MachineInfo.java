package io.ctta.benchmarks.continual;

import io.ctta.benchmarks.Machine;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Where a continual run ran: {@link Machine#describe()} and the load average when it started (on a
 * shared machine the neighbours' load explains slow samples/s).
 */
final class MachineInfo {

    private MachineInfo() {}

    /** E.g. {@code Intel(R) Xeon(R) ... | 2 cores | Linux 6.1 amd64 | Java 17.0.12 | load average 3.20 at start}. */
    static String describe() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return Machine.describe() + " | load average "
                + (load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load)) + " at start";
    }
}
