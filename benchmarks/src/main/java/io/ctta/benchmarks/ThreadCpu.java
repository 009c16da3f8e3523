package io.ctta.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads by kind, read from Linux's {@code /proc/self/task}: every thread,
 * including those Java's thread bean does not list (the JIT compilers, the garbage collector,
 * libtorch's OpenMP workers). Why: the pipeline JVM's CPU per sample is the figure the benchmark
 * compares with the loop's, and this says which threads spent the difference. Threads are grouped
 * by name with the trailing number dropped ({@code C2 CompilerThread0} and {@code 1} together);
 * Linux keeps 15 characters of a name. Empty where {@code /proc} cannot be read.
 */
final class ThreadCpu {

    private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

    private ThreadCpu() {}

    /** CPU nanoseconds consumed so far by each live thread, by thread id: {@code name -> nanos} per id. */
    static Map<Long, Map.Entry<String, Long>> snapshot() {
        Map<Long, Map.Entry<String, Long>> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    out.put(Long.parseLong(t.getFileName().toString()), Map.entry(name, ticks * NANOS_PER_TICK));
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read: it spent nothing we can see.
                }
            });
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }

    /**
     * CPU nanoseconds each kind of thread consumed between two snapshots, largest first (threads
     * that ended meanwhile are missing: their time is in neither snapshot).
     */
    static Map<String, Long> between(Map<Long, Map.Entry<String, Long>> before, Map<Long, Map.Entry<String, Long>> after) {
        Map<String, Long> byKind = new HashMap<>();
        after.forEach((tid, now) -> {
            Map.Entry<String, Long> then = before.get(tid);
            long spent = now.getValue() - (then == null ? 0 : then.getValue());
            byKind.merge(kind(now.getKey()), spent, Long::sum);
        });
        Map<String, Long> sorted = new LinkedHashMap<>();
        byKind.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** The thread's name without its trailing number and separators. */
    static String kind(String name) {
        return name.replaceAll("[-#_ ]*\\d+$", "");
    }
}
