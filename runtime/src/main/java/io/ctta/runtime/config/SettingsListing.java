package io.ctta.runtime.config;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.Map;

/**
 * Renders declarations for people: one line per setting, {@code KEY = DEFAULT  (TYPE; RANGE)  DOC},
 * under a comment line per block. {@code ctta config defaults} prints it.
 */
public final class SettingsListing {

    private final StringBuilder out = new StringBuilder();
    private int count;

    /** Appends {@code schema}'s settings under {@code prefix}, nested blocks after the block's own settings. */
    public SettingsListing add(String prefix, SettingsSchema schema) {
        return add(prefix, prefix + ": " + schema.doc(), schema);
    }

    /** As {@link #add(String, SettingsSchema)} under the comment {@code header}. */
    public SettingsListing add(String prefix, String header, SettingsSchema schema) {
        out.append("\n# ").append(header).append('\n');
        for (Setting<?> s : schema.settings().values()) {
            line(SettingsSchema.join(prefix, s.key()), s);
        }
        for (Map.Entry<String, SettingsSchema> c : schema.children().entrySet()) {
            add(SettingsSchema.join(prefix, c.getKey()), c.getValue());
        }
        return this;
    }

    private void line(String key, Setting<?> s) {
        count++;
        out.append(key).append(" = ").append(s.isRequired() ? "(required)" : render(s.defaultValue()));
        out.append("  (").append(typeName(s));
        if (!s.range().isEmpty()) {
            out.append("; ").append(s.range());
        }
        out.append(")");
        if (s.hasDependentDefault()) {
            out.append("  [default ").append(s.defaultDependsOn()).append("]");
        }
        if (!s.doc().isEmpty()) {
            out.append("  ").append(s.doc());
        }
        out.append('\n');
    }

    private static String typeName(Setting<?> s) {
        return switch (s.type()) {
            case ENUM -> "string";
            default -> s.type().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** A default as HOCON would write it: strings quoted, durations as 50ms, 2s, 15m. */
    public static String render(Object v) {
        if (v instanceof Duration d) {
            long ms = d.toMillis();
            if (ms != 0 && ms % 60_000 == 0) {
                return ms / 60_000 + "m";
            }
            if (ms != 0 && ms % 1000 == 0) {
                return ms / 1000 + "s";
            }
            return ms + "ms";
        }
        return ConfigValueFactory.fromAnyRef(v).render(ConfigRenderOptions.concise());
    }

    /** How many settings were listed. */
    public int count() {
        return count;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
