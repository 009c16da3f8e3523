package io.ctta.runtime.adapt;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The strategies available on the class path, found through {@link ServiceLoader}. An immutable
 * value: load it once at startup and inject it.
 */
public final class StrategyRegistry {

    private final Map<String, StrategyProvider> providers;

    private StrategyRegistry(Map<String, StrategyProvider> providers) {
        this.providers = Collections.unmodifiableMap(providers);
    }

    /** Loads every {@link StrategyProvider} visible to this class's loader. */
    public static StrategyRegistry load() {
        return load(StrategyRegistry.class.getClassLoader());
    }

    /**
     * Loads every provider visible to {@code loader}.
     *
     * @throws IllegalStateException when two providers claim the same name
     */
    public static StrategyRegistry load(ClassLoader loader) {
        Map<String, StrategyProvider> found = new TreeMap<>();
        for (StrategyProvider p : ServiceLoader.load(StrategyProvider.class, loader)) {
            StrategyProvider previous = found.putIfAbsent(p.name(), p);
            if (previous != null) {
                throw new IllegalStateException("two strategy providers are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new StrategyRegistry(new LinkedHashMap<>(found));
    }

    /** The registered names, sorted. */
    public Set<String> names() {
        return providers.keySet();
    }

    /** The provider of {@code name}. */
    public StrategyProvider provider(String name) {
        StrategyProvider p = providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown strategy '" + name + "'; known: " + String.join(", ", names()));
        }
        return p;
    }

    /**
     * Creates a fresh strategy that owns {@code context.model()}.
     *
     * @throws IllegalArgumentException for an unknown name ("unknown strategy 'x'; known: ...") or an
     *     invalid setting (the message names the key)
     */
    public AdaptationStrategy create(String name, StrategyContext context) {
        return provider(name).create(context);
    }
}
