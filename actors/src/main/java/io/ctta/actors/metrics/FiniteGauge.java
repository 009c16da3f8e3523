package io.ctta.actors.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * A gauge that is exported only while its value is known: it is registered on the first finite
 * value and removed again when a value is not finite, so a scrape never shows NaN, an infinity or
 * a stand-in such as {@code Double.MAX_VALUE} (a dashboard would plot them as real readings).
 * Thread-safe.
 */
public final class FiniteGauge {
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final Tags tags;
    private volatile double value;
    private Gauge gauge;

    public FiniteGauge(MeterRegistry registry, String name, String description, Tags tags) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.tags = tags;
    }

    /** Sets the value; a NaN or infinite one (or ±Double.MAX_VALUE) removes the gauge until the next finite one. */
    public synchronized void set(double v) {
        if (Double.isFinite(v) && Math.abs(v) < Double.MAX_VALUE) {
            value = v;
            if (gauge == null) {
                gauge = Gauge.builder(name, this, g -> g.value).description(description).tags(tags).register(registry);
            }
        } else if (gauge != null) {
            registry.remove(gauge);
            gauge = null;
        }
    }

    /** The last finite value, or NaN while none is known. */
    public synchronized double get() {
        return gauge == null ? Double.NaN : value;
    }
}
