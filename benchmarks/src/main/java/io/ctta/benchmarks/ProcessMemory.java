package io.ctta.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process as Linux reports it (heap, native and code together). */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** Peak resident set size in MiB ({@code VmHWM}), or NaN where /proc is unavailable. */
    public static double peakRssMiB() {
        return field("VmHWM:");
    }

    /** Current resident set size in MiB ({@code VmRSS}). */
    public static double rssMiB() {
        return field("VmRSS:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
