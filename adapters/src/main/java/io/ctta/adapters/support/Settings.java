package io.ctta.adapters.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Reads strategy settings with defaults and error messages that name the full key
 * ({@code strategies.<name>.<key>}), the offending value and what is expected.
 */
public final class Settings {

    private final Config config;
    private final String prefix;

    /** @param prefix the path users write, e.g. {@code strategies.tent} */
    public Settings(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
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
            throw new IllegalArgumentException(key(key) + " must be a number, got '" + raw(key) + "'", e);
        }
    }

    /** A boolean, or {@code def} when absent. */
    public boolean getBoolean(String key, boolean def) {
        if (!config.hasPath(key)) {
            return def;
        }
        try {
            return config.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(key(key) + " must be true or false, got '" + raw(key) + "'", e);
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
            throw new IllegalArgumentException(key(key) + " must be a string, got '" + raw(key) + "'", e);
        }
    }

    /** Throws unless {@code ok}: "{key} must be {rule}, got {value}". */
    public void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(key(key) + " must be " + rule + ", got " + value);
        }
    }

    private String raw(String key) {
        return config.getValue(key).unwrapped().toString();
    }
}
