package io.ctta.adapters.continual;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import io.ctta.adapters.support.Settings;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link Settings} plus what the continual strategies need on top: integer and enum values,
 * nested blocks ({@code spectral { ... }}) and rejection of unknown keys, so that a typo such as
 * {@code weight_decay} fails at startup instead of silently taking the default.
 */
final class SettingsReader {

    private final Config config;
    private final String prefix;
    private final Settings settings;

    SettingsReader(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
        this.settings = new Settings(config, prefix);
    }

    /** The reader of strategy {@code name}'s block: {@code strategies.<name>}, quoted when needed. */
    static SettingsReader forStrategy(Config config, String name) {
        return new SettingsReader(config, "strategies." + ConfigUtil.joinPath(name));
    }

    String key(String key) {
        return settings.key(key);
    }

    double getDouble(String key, double def) {
        return settings.getDouble(key, def);
    }

    boolean getBoolean(String key, boolean def) {
        return settings.getBoolean(key, def);
    }

    void require(boolean ok, String key, String rule, Object value) {
        settings.require(ok, key, rule, value);
    }

    /** A whole number, or {@code def} when absent. */
    int getInt(String key, int def) {
        double d = settings.getDouble(key, def);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key(key) + " must be a whole number, got " + d);
        }
        return (int) d;
    }

    /** One of {@code allowed} (lower case, compared case-insensitively), or {@code def} when absent. */
    String oneOf(String key, String def, String... allowed) {
        String v = settings.getString(key, def).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException(key(key) + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }

    /** The nested block {@code key} (empty when absent). */
    SettingsReader sub(String key) {
        if (!config.hasPath(key)) {
            return new SettingsReader(ConfigFactory.empty(), key(key));
        }
        if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
            throw new IllegalArgumentException(key(key) + " must be a block { ... }, got '"
                    + config.getValue(key).unwrapped() + "'");
        }
        try {
            return new SettingsReader(config.getConfig(key), key(key));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(key(key) + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Rejects keys of this block that are not in {@code known}. */
    void rejectUnknown(Set<String> known) {
        for (String k : config.root().keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException(key(ConfigUtil.joinPath(k)) + " is not a setting here; known: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
    }
}
