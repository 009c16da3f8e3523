package io.ctta.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time consumed so far, by this JVM and by another process. On a machine whose cores are shared
 * with other jobs, wall-clock throughput swings with their load; the CPU time a run consumed per
 * sample barely does, so the benchmark reports both.
 */
public final class CpuTime {

    private CpuTime() {}

    /** CPU nanoseconds this JVM consumed so far, all its threads. */
    public static long thisProcess() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU nanoseconds process {@code pid} consumed so far (user and system; Linux /proc), or -1 where unknown. */
    public static long ofProcess(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is parenthesised and may hold spaces: utime and stime are the 12th and 13th.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Linux's USER_HZ, 100 on every mainstream architecture. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;
}
