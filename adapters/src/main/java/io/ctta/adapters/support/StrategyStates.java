package io.ctta.adapters.support;

import io.ctta.runtime.adapt.StrategyState;
import java.util.HashMap;
import java.util.Map;

/** Building and taking apart {@link StrategyState}s: name check, key prefixes, optional counters. */
public final class StrategyStates {

    private StrategyStates() {}

    /** Throws unless {@code state} was taken by a strategy called {@code name}. */
    public static void requireStrategy(StrategyState state, String name) {
        if (!name.equals(state.strategy())) {
            throw new IllegalArgumentException("cannot restore a '" + state.strategy() + "' state into " + name);
        }
    }

    /** Puts every entry of {@code from} into {@code into} under {@code prefix + key}. */
    public static <V> void putPrefixed(Map<String, V> into, String prefix, Map<String, V> from) {
        from.forEach((k, v) -> into.put(prefix + k, v));
    }

    /**
     * Splits {@code entries} by key prefix: for each of {@code prefixes} (in that order, the first
     * that matches wins) the entries whose key starts with it, keyed by the rest of the key. Every
     * prefix has a map, empty when nothing matched; keys matching no prefix are dropped.
     */
    public static <V> Map<String, Map<String, V>> byPrefix(Map<String, V> entries, String... prefixes) {
        Map<String, Map<String, V>> parts = new HashMap<>();
        for (String prefix : prefixes) {
            parts.put(prefix, new HashMap<>());
        }
        entries.forEach((k, v) -> {
            for (String prefix : prefixes) {
                if (k.startsWith(prefix)) {
                    parts.get(prefix).put(k.substring(prefix.length()), v);
                    return;
                }
            }
        });
        return parts;
    }

    /** The scalar {@code key} as a count, 0 when the state has none (e.g. {@code optimizer.steps}). */
    public static long countOrZero(StrategyState state, String key) {
        Double v = state.scalars().get(key);
        return v == null ? 0 : v.longValue();
    }
}
