package io.ctta.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the {@code jdk.ExecutionSample} events of a JFR recording: the share of samples per
 * top frame (the method on CPU), per library the top frame belongs to, and per thread group. JFR
 * samples threads running Java code; time inside native code (PyTorch's forward and backward) is
 * not in these samples, so they show the pipeline's own Java cost, which is what is to be cut.
 * The same as {@code jfr print --events jdk.ExecutionSample FILE} aggregated by hand.
 */
final class HotMethods {

    private final Map<String, Integer> byMethod = new HashMap<>();
    private final Map<String, Integer> byLibrary = new HashMap<>();
    private final Map<String, Integer> byThread = new HashMap<>();
    private int samples;

    /** Reads every execution sample of {@code recording}. */
    static HotMethods of(Path recording) throws IOException {
        HotMethods h = new HotMethods();
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
                h.add(e);
            }
        }
        return h;
    }

    private void add(RecordedEvent e) {
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
            return;
        }
        samples++;
        RecordedFrame top = st.getFrames().get(0);
        String type = top.getMethod().getType().getName();
        byMethod.merge(type + "." + top.getMethod().getName(), 1, Integer::sum);
        byLibrary.merge(library(type, st.getFrames()), 1, Integer::sum);
        var thread = e.getThread("sampledThread");
        byThread.merge(thread == null ? "?" : threadGroup(thread.getJavaName()), 1, Integer::sum);
    }

    /** The library the CPU was in; JDK frames are charged to the first non-JDK caller's library. */
    static String library(String topType, List<RecordedFrame> frames) {
        String type = topType;
        for (RecordedFrame f : frames) {
            String t = f.getMethod().getType().getName();
            if (!t.startsWith("java.") && !t.startsWith("jdk.") && !t.startsWith("sun.")) {
                type = t;
                break;
            }
        }
        String[] parts = type.split("\\.");
        if (type.startsWith("io.ctta.")) {
            return parts.length > 3 ? "io.ctta." + parts[2] : type;
        }
        if (type.startsWith("org.apache.kafka.") || type.startsWith("org.apache.pekko.") || type.startsWith("com.fasterxml.jackson.")) {
            return String.join(".", List.of(parts).subList(0, Math.min(3, parts.length)));
        }
        return parts.length > 2 ? parts[0] + "." + parts[1] : type;
    }

    /** A thread's name without its trailing number: the pool or role it belongs to. */
    static String threadGroup(String name) {
        return name == null ? "?" : name.replaceAll("[-#\\s]*\\d+$", "").replaceAll("producer-\\d+", "producer-N")
                .replaceAll("consumer-[\\w.-]+", "consumer-N");
    }

    int samples() {
        return samples;
    }

    /** Prints the {@code limit} largest entries of each view as Markdown tables. */
    void print(PrintStream out, int limit) {
        out.printf(Locale.ROOT, "JFR execution samples: %d (Java code on CPU; native forward/backward not included)%n", samples);
        table(out, "top frame", byMethod, limit);
        table(out, "library (first non-JDK frame)", byLibrary, limit);
        table(out, "thread", byThread, limit);
    }

    private void table(PrintStream out, String title, Map<String, Integer> counts, int limit) {
        out.println();
        out.println("| " + title + " | samples | share |");
        out.println("|---|---:|---:|");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.printf(Locale.ROOT, "| %s | %d | %.1f%% |%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / Math.max(1, samples)));
    }
}
