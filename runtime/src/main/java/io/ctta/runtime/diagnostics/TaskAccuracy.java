package io.ctta.runtime.diagnostics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Online (prequential) accuracy per task of a continual stream, in task order: the quantity the
 * UPGD paper plots (Elsayed and Mahmood, ICLR 2024). Also the windowed forgetting {@code A_1 − A_T} and
 * means over a fraction of the tasks (e.g. the first and the last 20 %).
 *
 * <p>Pure Java; not thread-safe (one instance per stream).
 */
public final class TaskAccuracy {

    /**
     * One task's tally.
     *
     * @param name the task (domain) name
     * @param seen predictions scored
     * @param correct of which correct
     */
    public record Task(String name, long seen, long correct) {
        /** Online accuracy of the task; NaN before its first sample. */
        public double accuracy() {
            return seen == 0 ? Double.NaN : (double) correct / seen;
        }
    }

    private final Map<String, long[]> tasks = new LinkedHashMap<>();

    /** Scores {@code correct} right predictions out of {@code seen} for {@code task}. */
    public void record(String task, int seen, int correct) {
        if (seen < 0 || correct < 0 || correct > seen) {
            throw new IllegalArgumentException("need 0 <= correct <= seen, got " + correct + " of " + seen);
        }
        long[] t = tasks.computeIfAbsent(task, k -> new long[2]);
        t[0] += seen;
        t[1] += correct;
    }

    /** The tasks in order of first appearance (a snapshot). */
    public List<Task> tasks() {
        List<Task> out = new ArrayList<>(tasks.size());
        tasks.forEach((k, v) -> out.add(new Task(k, v[0], v[1])));
        return Collections.unmodifiableList(out);
    }

    /** Per-task online accuracies in task order. */
    public double[] accuracies() {
        return tasks().stream().mapToDouble(Task::accuracy).toArray();
    }

    /**
     * The mean of the per-task accuracies of the tasks in {@code [floor(from·T), ceil(to·T))}
     * (at least one task when any exist); NaN without tasks.
     *
     * @param from start fraction in [0, 1)
     * @param to end fraction in (from, 1]
     */
    public double meanAccuracy(double from, double to) {
        if (!(from >= 0 && from < to && to <= 1)) {
            throw new IllegalArgumentException("need 0 <= from < to <= 1, got " + from + ", " + to);
        }
        double[] acc = accuracies();
        int n = acc.length;
        if (n == 0) {
            return Double.NaN;
        }
        int a = (int) Math.floor(from * n);
        int b = Math.max(a + 1, (int) Math.ceil(to * n));
        double sum = 0;
        for (int i = a; i < b; i++) {
            sum += acc[i];
        }
        return sum / (b - a);
    }

    /**
     * The UPGD paper's windowed forgetting {@code A_1 − A_T} with each task a window: positive means
     * the learner does worse on the last task than on the first. NaN with fewer than two tasks.
     */
    public double windowedForgetting() {
        double[] acc = accuracies();
        return acc.length < 2 ? Double.NaN : acc[0] - acc[acc.length - 1];
    }

    /** Forgets everything. */
    public void reset() {
        tasks.clear();
    }
}
