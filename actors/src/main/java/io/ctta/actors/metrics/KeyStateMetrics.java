package io.ctta.actors.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of a pipeline's per-key states ({@code scope = key}, docs/scopes.md). Registered for
 * every pipeline (all zero with {@code scope = pipeline}) so that the set of series depends on the
 * config only. Written by the model actor's thread, read by the scrape.
 */
public final class KeyStateMetrics {
    private final AtomicLong resident = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicLong stateBytes = new AtomicLong();
    private final Counter evictions;
    private final Counter loads;
    private final Counter lost;

    public KeyStateMetrics(MeterRegistry registry, String pipeline, String strategy) {
        Tags tags = Tags.of("pipeline", pipeline, "strategy", strategy);
        Gauge.builder("ctta.key.states.resident", resident, AtomicLong::get)
                .description("Key states held in memory (at most key-states.max-resident)").tags(tags).register(registry);
        Gauge.builder("ctta.key.states.spilled", spilled, AtomicLong::get)
                .description("Key states evicted to files, restored on their key's next record").tags(tags).register(registry);
        Gauge.builder("ctta.key.state.bytes", stateBytes, AtomicLong::get)
                .description("Bytes of one key's adaptation state (its tensors and scalars)").baseUnit("bytes").tags(tags).register(registry);
        evictions = Counter.builder("ctta.key.states.evictions").description("Key states evicted from memory to a file").tags(tags).register(registry);
        loads = Counter.builder("ctta.key.states.loads").description("Key states read back from their file").tags(tags).register(registry);
        lost = Counter.builder("ctta.key.states.lost")
                .description("Key states whose file could not be read: the key started again from the source state").tags(tags).register(registry);
    }

    /** For tests and tools that need no registry. */
    public static KeyStateMetrics unregistered() {
        return new KeyStateMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "-", "-");
    }

    public void sizes(int residentKeys, int spilledKeys) {
        resident.set(residentKeys);
        spilled.set(spilledKeys);
    }

    public void stateBytes(long bytes) {
        stateBytes.set(bytes);
    }

    public void evicted() {
        evictions.increment();
    }

    public void loaded() {
        loads.increment();
    }

    public void lost() {
        lost.increment();
    }

    public long residentKeys() {
        return resident.get();
    }

    public long spilledKeys() {
        return spilled.get();
    }

    public long stateBytes() {
        return stateBytes.get();
    }

    public double evictions() {
        return evictions.count();
    }

    public double loads() {
        return loads.count();
    }
}
