package io.ctta.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The settings of one component (a block such as {@code ctta.checkpoints} or
 * {@code strategies.tent}): its declared {@link Setting}s and nested blocks, in the order the
 * documentation lists them. Immutable; build with {@link #builder}.
 *
 * @param doc one sentence on what the block configures
 * @param settings the block's own settings, by key
 * @param children nested blocks, by key
 */
public record SettingsSchema(String doc, Map<String, Setting<?>> settings, Map<String, SettingsSchema> children) {

    public SettingsSchema {
        Objects.requireNonNull(doc, "doc");
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        children = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(children));
        for (String k : children.keySet()) {
            if (settings.containsKey(k)) {
                throw new IllegalArgumentException("'" + k + "' is declared both as a setting and as a block");
            }
        }
    }

    /** A block with no settings: any key in it is an error. */
    public static SettingsSchema empty(String doc) {
        return new SettingsSchema(doc, Map.of(), Map.of());
    }

    public static Builder builder(String doc) {
        return new Builder(doc);
    }

    /** Every key allowed directly in this block (settings and nested blocks). */
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>(settings.keySet());
        keys.addAll(children.keySet());
        return keys;
    }

    /** The number of settings declared here and in every nested block. */
    public int count() {
        int n = settings.size();
        for (SettingsSchema c : children.values()) {
            n += c.count();
        }
        return n;
    }

    /** Calls {@code visitor} with the full key (under {@code prefix}) of every setting, depth first. */
    public void forEach(String prefix, BiConsumer<String, Setting<?>> visitor) {
        for (Setting<?> s : settings.values()) {
            visitor.accept(join(prefix, s.key()), s);
        }
        for (Map.Entry<String, SettingsSchema> c : children.entrySet()) {
            c.getValue().forEach(join(prefix, c.getKey()), visitor);
        }
    }

    /** Every default as a config block (required settings left out), e.g. to compare with reference.conf. */
    public Config defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        forEach("", (key, s) -> {
            if (!s.isRequired()) {
                values.put(key, toConfigValue(s.defaultValue()));
            }
        });
        Config c = ConfigFactory.empty();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
        }
        return c;
    }

    private static Object toConfigValue(Object v) {
        // Typesafe Config writes durations as strings; milliseconds keep them exact.
        return v instanceof Duration d ? d.toMillis() + "ms" : v;
    }

    static String join(String prefix, String key) {
        String quoted = ConfigUtil.joinPath(key);
        return prefix.isEmpty() ? quoted : prefix + "." + quoted;
    }

    /** Builds a schema in declaration order. */
    public static final class Builder {
        private final String doc;
        private final Map<String, Setting<?>> settings = new LinkedHashMap<>();
        private final Map<String, SettingsSchema> children = new LinkedHashMap<>();

        private Builder(String doc) {
            this.doc = doc;
        }

        public Builder add(Setting<?> s) {
            if (settings.putIfAbsent(s.key(), s) != null) {
                throw new IllegalArgumentException("setting '" + s.key() + "' declared twice");
            }
            return this;
        }

        public Builder addAll(SettingsSchema other) {
            other.settings().values().forEach(this::add);
            other.children().forEach(this::child);
            return this;
        }

        public Builder child(String key, SettingsSchema schema) {
            if (children.putIfAbsent(key, schema) != null) {
                throw new IllegalArgumentException("block '" + key + "' declared twice");
            }
            return this;
        }

        public SettingsSchema build() {
            return new SettingsSchema(doc, settings, children);
        }
    }

    /** The settings in declaration order, for listings. */
    public List<Setting<?>> list() {
        return new ArrayList<>(settings.values());
    }
}
