package io.ctta.runtime.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of one validation pass, so that a user sees all of them at once instead of
 * fixing one per start. Not thread-safe: one pass, one thread.
 */
public final class ConfigProblems {

    private final List<ConfigProblem> problems = new ArrayList<>();
    private int checked;

    /** Counts one declared setting read (valid or not), for "M settings checked". */
    void countChecked() {
        checked++;
    }

    /** How many declared settings this pass read. */
    public int checkedCount() {
        return checked;
    }

    public void add(ConfigProblem p) {
        problems.add(p);
    }

    /** "KEY = VALUE: expected WHAT". */
    public void badValue(String key, Object value, String expected) {
        add(ConfigProblem.badValue(key, value, expected));
    }

    /** "KEY: MESSAGE". */
    public void add(String key, String message) {
        add(new ConfigProblem(key, message));
    }

    /** Whether a problem was recorded for {@code key} or a key under it. */
    public boolean hasProblemAt(String key) {
        for (ConfigProblem p : problems) {
            if (p.key().equals(key) || p.key().startsWith(key + ".") || p.key().startsWith(key + "[")) {
                return true;
            }
        }
        return false;
    }

    /**
     * For components read outside a whole-file pass (tests, tools): throws an
     * {@link IllegalArgumentException} whose message lists every problem, one per line.
     */
    public static void throwIfAny(ConfigProblems problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems.problems.stream().map(ConfigProblem::toString).toList()));
        }
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public int size() {
        return problems.size();
    }

    public List<ConfigProblem> list() {
        return List.copyOf(problems);
    }
}
