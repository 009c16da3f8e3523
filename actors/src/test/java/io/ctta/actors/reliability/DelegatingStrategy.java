package io.ctta.actors.reliability;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;

/**
 * A test strategy registered as {@code name} that wraps another strategy ({@code inner}): model
 * version, snapshot, restore, reset and close go to {@code inner}, with the snapshot's state
 * renamed to {@code name} and a restored state renamed back to {@code inner.name()}. Subclasses
 * override {@link #predict} to inject delays or failures before delegating to {@link #inner}.
 */
abstract class DelegatingStrategy implements AdaptationStrategy {

    private final String name;
    /** The wrapped strategy. */
    protected final AdaptationStrategy inner;

    DelegatingStrategy(String name, AdaptationStrategy inner) {
        this.name = name;
        this.inner = inner;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public long modelVersion() {
        return inner.modelVersion();
    }

    @Override
    public StrategyState snapshot() {
        StrategyState s = inner.snapshot();
        return new StrategyState(name, s.modelVersion(), s.tensors(), s.scalars());
    }

    @Override
    public void restore(StrategyState state) {
        inner.restore(new StrategyState(inner.name(), state.modelVersion(), state.tensors(), state.scalars()));
    }

    @Override
    public void reset() {
        inner.reset();
    }

    @Override
    public void close() {
        inner.close();
    }
}
