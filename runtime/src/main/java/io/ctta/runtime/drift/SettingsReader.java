package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one detector's settings block with defaults; every message names the full key
 * ({@code drift.adwin.delta}), the rule and the offending value. Unknown keys are rejected so a
 * misspelt key does not silently fall back to its default.
 */
final class SettingsReader {

    private final Config config;
    private final String prefix;

    SettingsReader(Config config, String prefix, Set<String> known) {
        this.config = config;
        this.prefix = prefix;
        Set<String> unknown = new TreeSet<>();
        for (var e : config.root().entrySet()) {
            if (!known.contains(e.getKey())) {
                unknown.add(e.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(key(unknown.iterator().next()) + " is not a setting of this detector; known: "
                    + String.join(", ", new TreeSet<>(known)));
        }
    }

    String key(String key) {
        return prefix + "." + key;
    }

    double getDouble(String key, double def) {
        if (!config.hasPath(key)) {
            return def;
        }
        try {
            return config.getDouble(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(key(key) + " must be a number, got '" + raw(key) + "'", e);
        }
    }

    int getInt(String key, int def) {
        if (!config.hasPath(key)) {
            return def;
        }
        try {
            Number n = config.getNumber(key);
            double d = n.doubleValue();
            if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
                throw new IllegalArgumentException(key(key) + " must be an integer, got " + format(d));
            }
            return (int) d;
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(key(key) + " must be an integer, got '" + raw(key) + "'", e);
        }
    }

    String getString(String key, String def) {
        if (!config.hasPath(key)) {
            return def;
        }
        try {
            return config.getString(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(key(key) + " must be a string, got '" + raw(key) + "'", e);
        }
    }

    /** Throws unless {@code ok}: "{key} must be {rule}, got {value}". */
    void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(key(key) + " must be " + rule + ", got "
                    + (value instanceof Double d ? format(d) : String.valueOf(value)));
        }
    }

    /** As {@link #require} for record constructors, which have no reader. */
    static void requireStatic(boolean ok, String prefix, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(prefix + "." + key + " must be " + rule + ", got "
                    + (value instanceof Double d ? format(d) : String.valueOf(value)));
        }
    }

    /** Integral doubles print without ".0" (2, not 2.0), others as Java prints them. */
    static String format(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    private String raw(String key) {
        return String.valueOf(config.getValue(key).unwrapped());
    }
}
