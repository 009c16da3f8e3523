package io.ctta.streams.source;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The options a user gave a reader ({@code --option name=value}), as text, with typed accessors whose
 * errors name the option, the bad value and the fix. Readers turn them into their own immutable
 * option record once, in {@link DatasetReader#open}; {@link #checkKnown} refuses names the reader does
 * not declare, so a typo never silently falls back to a default.
 */
public final class ReaderOptions {

    private final Map<String, String> values;

    private ReaderOptions(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** No options: every reader's defaults. */
    public static ReaderOptions none() {
        return new ReaderOptions(new TreeMap<>());
    }

    /**
     * Options from a map of names to values.
     *
     * @throws IllegalArgumentException for a blank name or a null value
     */
    public static ReaderOptions of(Map<String, String> values) {
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : Objects.requireNonNull(values, "values").entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "option name").trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an option has an empty name; write --option name=value");
            }
            copy.put(name, Objects.requireNonNull(e.getValue(), "value of option " + name).trim());
        }
        return new ReaderOptions(copy);
    }

    /** These options plus {@code name=value} (replacing an earlier value). */
    public ReaderOptions with(String name, String value) {
        TreeMap<String, String> copy = new TreeMap<>(values);
        copy.put(name, value);
        return of(copy);
    }

    /** The options as given. */
    public Map<String, String> asMap() {
        return values;
    }

    /** Whether {@code name} was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * Refuses any option {@code reader} does not declare.
     *
     * @throws IllegalArgumentException naming the unknown option and listing the known ones
     */
    public ReaderOptions checkKnown(DatasetReader reader) {
        List<String> known = new ArrayList<>();
        for (ReaderOption o : reader.options()) {
            known.add(o.name());
        }
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("format " + reader.name() + " has no option '" + name + "'; its options are "
                        + (known.isEmpty() ? "none" : String.join(", ", known))
                        + " (ctta replay --list-formats describes them)");
            }
        }
        return this;
    }

    /** The text of {@code name}, or {@code otherwise} when absent. */
    public String text(String name, String otherwise) {
        String v = values.get(name);
        return v == null ? otherwise : v;
    }

    /**
     * An integer in {@code [min, max]}.
     *
     * @throws IllegalArgumentException naming the option when the value is not such an integer
     */
    public int integer(String name, int otherwise, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(name, v, "a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw bad(name, v, "a whole number from " + min + " to " + max);
        }
        return n;
    }

    /** A long integer (a seed). */
    public long longValue(String name, long otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(name, v, "a whole number");
        }
    }

    /**
     * A per-domain sample cap: a positive integer, or {@code all} (returned as {@link Integer#MAX_VALUE}).
     */
    public int cap(String name, int otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        if (v.equalsIgnoreCase("all")) {
            return Integer.MAX_VALUE;
        }
        return integer(name, otherwise, 1, Integer.MAX_VALUE);
    }

    /** One of {@code allowed} (case-insensitive), returned in lower case. */
    public String choice(String name, String otherwise, List<String> allowed) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw bad(name, v, "one of " + String.join(", ", allowed));
        }
        return lower;
    }

    /** {@code true}/{@code false}. */
    public boolean bool(String name, boolean otherwise) {
        return Boolean.parseBoolean(choice(name, Boolean.toString(otherwise), List.of("true", "false")));
    }

    /**
     * A comma-separated list of non-empty items, each converted by {@code parse} (which throws
     * {@link IllegalArgumentException} with the reason for a bad item).
     */
    public <T> List<T> list(String name, List<T> otherwise, Function<String, T> parse) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        List<T> out = new ArrayList<>();
        for (String item : v.split(",", -1)) {
            String t = item.trim();
            if (t.isEmpty()) {
                throw bad(name, v, "a comma-separated list without empty items");
            }
            try {
                out.add(parse.apply(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option " + name + "=" + v + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }

    /** The error for a bad value: names the option, the value and what it must be. */
    public static IllegalArgumentException bad(String name, String value, String expected) {
        return new IllegalArgumentException("option " + name + "=" + value + " is invalid; give " + expected
                + ", e.g. --option " + name + "=...");
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
