package io.ctta.actors.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Reads typed values from a {@link Config} under a path prefix and turns every Typesafe Config
 * failure into an {@link InvalidConfigException} that names the full key.
 */
final class Settings {
    private final Config config;
    private final String prefix;

    Settings(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    String key(String k) {
        return prefix.isEmpty() ? k : prefix + "." + k;
    }

    boolean has(String k) {
        return config.hasPath(k);
    }

    String string(String k) {
        try {
            return config.getString(k);
        } catch (ConfigException e) {
            throw wrap(k, "a string", e);
        }
    }

    boolean bool(String k) {
        try {
            return config.getBoolean(k);
        } catch (ConfigException e) {
            throw wrap(k, "true or false", e);
        }
    }

    int intBetween(String k, int min, int max) {
        int v;
        try {
            v = config.getInt(k);
        } catch (ConfigException e) {
            throw wrap(k, "an integer in [" + min + ", " + max + "]", e);
        }
        if (v < min || v > max) {
            throw new InvalidConfigException(key(k), v, "an integer in [" + min + ", " + max + "]");
        }
        return v;
    }

    double positiveDouble(String k) {
        double v;
        try {
            v = config.getDouble(k);
        } catch (ConfigException e) {
            throw wrap(k, "a positive number", e);
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new InvalidConfigException(key(k), v, "a positive number");
        }
        return v;
    }

    long longValue(String k) {
        try {
            return config.getLong(k);
        } catch (ConfigException e) {
            throw wrap(k, "an integer", e);
        }
    }

    Duration positiveDuration(String k) {
        Duration d;
        try {
            d = config.getDuration(k);
        } catch (ConfigException e) {
            throw wrap(k, "a duration such as 50ms or 2s", e);
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidConfigException(key(k), config.getValue(k).unwrapped(), "a positive duration such as 50ms");
        }
        return d;
    }

    String oneOf(String k, String... allowed) {
        String v = string(k);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new InvalidConfigException(key(k), v, "one of " + String.join(", ", allowed));
    }

    java.util.List<? extends Config> list(String k) {
        try {
            return config.getConfigList(k);
        } catch (ConfigException e) {
            throw wrap(k, "a list of objects", e);
        }
    }

    Config sub(String k) {
        if (k.isEmpty()) {
            return config;
        }
        try {
            return config.getConfig(k);
        } catch (ConfigException e) {
            throw wrap(k, "an object { ... }", e);
        }
    }

    private InvalidConfigException wrap(String k, String expected, ConfigException e) {
        if (e instanceof ConfigException.Missing) {
            return new InvalidConfigException(key(k), "missing; expected " + expected, e);
        }
        Object bad = config.hasPathOrNull(k) && !config.getIsNull(k) ? config.getValue(k).unwrapped() : null;
        return new InvalidConfigException(key(k), "got " + bad + "; expected " + expected, e);
    }
}
