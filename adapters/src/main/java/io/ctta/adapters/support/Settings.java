package io.ctta.adapters.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import io.ctta.runtime.config.ConfigProblem;
import io.ctta.runtime.config.DidYouMean;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads strategy settings with defaults and error messages that name the full key
 * ({@code strategies.<name>.<key>}), the offending value and what is expected, worded as every
 * settings reader words them ({@link ConfigProblem}): numbers, whole
 * numbers in a range, booleans, strings, one of a fixed set, nested blocks, and rejection of
 * unknown keys (so that a typo such as {@code weight_decay} fails at startup instead of silently
 * taking the default).
 */
public final class Settings {

    private final Config config;
    private final String prefix;

    /** @param prefix the path users write, e.g. {@code strategies.tent} */
    public Settings(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    /** The reader of strategy {@code name}'s block: {@code strategies.<name>}, quoted when needed. */
    public static Settings forStrategy(Config config, String name) {
        return new Settings(config, "strategies." + ConfigUtil.joinPath(name));
    }

    /** The full key name for messages. */
    public String key(String key) {
        return prefix + "." + key;
    }

    /** A double, or {@code def} when absent. */
    public double getDouble(String key, double def) {
        if (!config.hasPath(key)) {
            return def;
        }
        try {
            return config.getDouble(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(problem(key, rawValue(key), "a number"), e);
        }
    }

    /** A whole number (any int), or {@code def} when absent: "must be an integer". */
    public int getInt(String key, int def) {
        return getInt(key, def, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A whole number in {@code [min, max]}, or {@code def} when absent; the rule names the bounds. */
    public int getInt(String key, int def, int min, int max) {
        String rule = min == Integer.MIN_VALUE && max == Integer.MAX_VALUE ? "an integer"
                : max == Integer.MAX_VALUE ? "an integer >= " + min
                : "an integer in [" + min + ", " + max + "]";
        return getInt(key, def, min, max, rule);
    }

    /** As {@link #getInt(String, int, int, int)} with the rule worded by the caller. */
    public int getInt(String key, int def, int min, int max, String rule) {
        double v = getDouble(key, def);
        boolean whole = v == Math.rint(v);
        require(whole && v >= min && v <= max, key, rule,
                whole && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v));
        return (int) v;
    }

    /** A boolean, or {@code def} when absent. */
    public boolean getBoolean(String key, boolean def) {
        if (!config.hasPath(key)) {
            return def;
        }
        try {
            return config.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(problem(key, rawValue(key), "true or false"), e);
        }
    }

    /** A string, or {@code def} when absent. */
    public String getString(String key, String def) {
        if (!config.hasPath(key)) {
            return def;
        }
        try {
            return config.getString(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(problem(key, rawValue(key), "a string"), e);
        }
    }

    /** One of {@code allowed} (lower case; the value is compared case-insensitively), or {@code def} when absent. */
    public String oneOf(String key, String def, String... allowed) {
        String v = getString(key, def).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException(problem(key, v, "one of " + String.join(", ", allowed)));
    }

    /** The nested block {@code key} (empty when absent). */
    public Settings sub(String key) {
        if (!config.hasPath(key)) {
            return new Settings(ConfigFactory.empty(), key(key));
        }
        if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
            throw new IllegalArgumentException(problem(key, rawValue(key), "a block { ... }"));
        }
        try {
            return new Settings(config.getConfig(key), key(key));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(key(key) + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Rejects keys of this block that are not in {@code known}, naming the nearest known one. */
    public void rejectUnknown(Set<String> known) {
        for (String k : config.root().keySet()) {
            if (!known.contains(k)) {
                String fix = DidYouMean.nearest(k, known).map(n -> "did you mean '" + key(ConfigUtil.joinPath(n)) + "'?")
                        .orElse("known keys here: " + String.join(", ", new TreeSet<>(known)));
                throw new IllegalArgumentException(new ConfigProblem(key(ConfigUtil.joinPath(k)), "unknown setting; " + fix).toString());
            }
        }
    }

    /** "invalid setting 'KEY' = VALUE: expected WHAT", the wording of every settings reader. */
    public String problem(String key, Object value, String expected) {
        return ConfigProblem.badValue(key(key), value, expected).toString();
    }

    /** Throws unless {@code ok}: "{key} must be {rule}, got {value}". */
    public void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(new ConfigProblem(key(key), "= " + value + ": expected " + rule).toString());
        }
    }

    private Object rawValue(String key) {
        return config.getValue(key).unwrapped();
    }
}
