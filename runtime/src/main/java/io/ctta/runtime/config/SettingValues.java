package io.ctta.runtime.config;

import com.typesafe.config.Config;
import java.util.Map;

/**
 * The typed values of one block as {@link ConfigReader} read them: each declared setting's value
 * (its default when absent or invalid) and each nested block's values.
 */
public final class SettingValues {

    private final String prefix;
    private final Config raw;
    private final Map<String, Object> values;
    private final Map<String, SettingValues> children;

    SettingValues(String prefix, Config raw, Map<String, Object> values, Map<String, SettingValues> children) {
        this.prefix = prefix;
        this.raw = raw;
        this.values = Map.copyOf(values.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        this.children = Map.copyOf(children);
    }

    /** The value of {@code s}: as written when valid, else its default ({@code null} for a missing required one). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> s) {
        if (!values.containsKey(s.key()) && !s.isRequired()) {
            throw new IllegalArgumentException("'" + s.key() + "' is not declared in the block " + prefix);
        }
        return (T) values.get(s.key());
    }

    /** The value of the declared setting {@code key}, for readers that name their keys once in the schema. */
    public <T> T get(String key, Class<T> type) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("'" + key + "' is not declared in the block " + prefix);
        }
        return type.cast(v);
    }

    /** The nested block {@code key}. */
    public SettingValues child(String key) {
        SettingValues c = children.get(key);
        if (c == null) {
            throw new IllegalArgumentException("'" + key + "' is not a declared block of " + prefix);
        }
        return c;
    }

    /** The full key of {@code s}, for messages. */
    public String key(Setting<?> s) {
        return SettingsSchema.join(prefix, s.key());
    }

    /** The full path of this block. */
    public String prefix() {
        return prefix;
    }

    /** The block as written (for settings handed on as config, such as a strategy's overrides). */
    public Config raw() {
        return raw;
    }
}
