package io.ctta.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads one block against its {@link SettingsSchema}: every declared setting is converted to its
 * type and range-checked, every undeclared key is reported with the nearest declared one, and
 * every problem is collected (not thrown) so that one pass reports them all. A setting with a
 * problem reads as its default, so that callers can go on checking the rest.
 */
public final class ConfigReader {

    private ConfigReader() {
    }

    /**
     * @param block the block's config (absent keys take their defaults)
     * @param prefix the full path users write for the block, e.g. {@code ctta.checkpoints}
     */
    public static SettingValues read(Config block, SettingsSchema schema, String prefix, ConfigProblems problems) {
        return read(block, schema, prefix, problems, true);
    }

    /**
     * As {@link #read} without the unknown-key check: for a block merged from several places (a
     * pipeline over pipeline-defaults), whose parts {@link #reportUnknown} checked where they were written.
     */
    public static SettingValues readValues(Config block, SettingsSchema schema, String prefix, ConfigProblems problems) {
        return read(block, schema, prefix, problems, false);
    }

    private static SettingValues read(Config block, SettingsSchema schema, String prefix, ConfigProblems problems, boolean checkUnknown) {
        if (checkUnknown) {
            reportUnknown(block.root(), schema, prefix, problems);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : schema.settings().values()) {
            values.put(s.key(), readOne(block, s, prefix, problems));
        }
        Map<String, SettingValues> children = new LinkedHashMap<>();
        for (Map.Entry<String, SettingsSchema> c : schema.children().entrySet()) {
            String path = ConfigUtil.joinPath(c.getKey());
            String key = SettingsSchema.join(prefix, c.getKey());
            Config sub = ConfigFactory.empty();
            if (block.hasPath(path)) {
                if (block.getValue(path).valueType() == ConfigValueType.OBJECT) {
                    sub = block.getConfig(path);
                } else {
                    problems.badValue(key, block.getValue(path).unwrapped(), "an object { ... }");
                }
            }
            // reportUnknown above already walked the nested blocks.
            children.put(c.getKey(), read(sub, c.getValue(), key, problems, false));
        }
        return new SettingValues(prefix, block, values, children);
    }

    /**
     * Reports every key of {@code block}, and of its nested blocks, that {@code schema} does not
     * declare, with the nearest declared key at that level.
     */
    public static void reportUnknown(ConfigObject block, SettingsSchema schema, String prefix, ConfigProblems problems) {
        for (Map.Entry<String, ConfigValue> e : block.entrySet()) {
            String k = e.getKey();
            if (schema.children().containsKey(k) && e.getValue() instanceof ConfigObject nested) {
                reportUnknown(nested, schema.children().get(k), SettingsSchema.join(prefix, k), problems);
                continue;
            }
            if (schema.keys().contains(k)) {
                continue;
            }
            // A misspelt block ("checkpoint { dir = ... }") is reported at its first leaf, so that
            // the suggestion reads as the key the user meant ("ctta.checkpoints.dir").
            String rest = firstLeaf(e.getValue());
            Optional<String> near = DidYouMean.nearest(k, schema.keys());
            String where = SettingsSchema.join(prefix, k) + rest;
            String fix = near.map(n -> "did you mean '" + SettingsSchema.join(prefix, n) + rest + "'?")
                    .orElse("known keys here: " + String.join(", ", new TreeSet<>(schema.keys())));
            problems.add(where, "unknown setting; " + fix);
        }
    }

    private static String firstLeaf(ConfigValue v) {
        StringBuilder rest = new StringBuilder();
        while (v instanceof ConfigObject o && o.size() == 1) {
            Map.Entry<String, ConfigValue> only = o.entrySet().iterator().next();
            rest.append('.').append(ConfigUtil.joinPath(only.getKey()));
            v = only.getValue();
        }
        return rest.toString();
    }

    private static Object readOne(Config block, Setting<?> s, String prefix, ConfigProblems problems) {
        String path = ConfigUtil.joinPath(s.key());
        String key = SettingsSchema.join(prefix, s.key());
        problems.countChecked();
        if (!block.hasPathOrNull(path)) {
            if (s.isRequired()) {
                problems.add(key, "missing; expected " + s.expected() + (s.doc().isEmpty() ? "" : " (" + s.doc() + ")"));
            }
            return s.defaultValue();
        }
        if (block.getIsNull(path)) {
            problems.add(key, "= null: expected " + s.expected());
            return s.defaultValue();
        }
        Object v;
        try {
            v = convert(block, path, s);
        } catch (ConfigException | ArithmeticException e) {
            problems.badValue(key, block.getValue(path).unwrapped(), s.expected());
            return s.defaultValue();
        }
        if (!test(s, v)) {
            problems.badValue(key, block.getValue(path).unwrapped(), s.expected());
            return s.defaultValue();
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static <T> boolean test(Setting<T> s, Object v) {
        return s.rule().test((T) v);
    }

    private static Object convert(Config c, String path, Setting<?> s) {
        return switch (s.type()) {
            case STRING -> {
                if (c.getValue(path).valueType() == ConfigValueType.OBJECT || c.getValue(path).valueType() == ConfigValueType.LIST) {
                    throw new ConfigException.WrongType(c.origin(), path, "STRING", c.getValue(path).valueType().name());
                }
                yield c.getString(path);
            }
            case ENUM -> canonical(c.getString(path), s);
            case BOOLEAN -> c.getBoolean(path);
            case INT -> Math.toIntExact(whole(c, path));
            case LONG -> whole(c, path);
            case DOUBLE -> c.getDouble(path);
            case DURATION -> c.getDuration(path);
            case BLOCK -> c.getObject(path).unwrapped();
            case LIST -> c.getList(path).unwrapped();
        };
    }

    /** The declared spelling of an allowed value written in another case ("BOTH" for "both"). */
    private static String canonical(String written, Setting<?> s) {
        for (String a : s.allowed()) {
            if (a.equalsIgnoreCase(written)) {
                return a;
            }
        }
        return written;
    }

    /** A whole number: 1.5 and "ten" are refused, 1e3 is 1000. */
    private static long whole(Config c, String path) {
        double d = c.getNumber(path).doubleValue();
        if (d != Math.rint(d) || Math.abs(d) > 9.0e15) {
            throw new ArithmeticException("not a whole number");
        }
        return c.getNumber(path).longValue();
    }
}
