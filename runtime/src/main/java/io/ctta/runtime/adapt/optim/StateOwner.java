package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDManager;

/**
 * The sub-manager that owns one component's long-lived state arrays (optimizer moments,
 * regularizer vectors), with the close-once lifecycle around it: {@link #close} frees the arrays,
 * and every {@link #ensureOpen} after it fails. Not thread-safe, like the components using it.
 */
public final class StateOwner {

    private final NDManager manager;
    private final String component;
    private boolean closed;

    /**
     * @param parent the manager to hang the state manager under (the model's)
     * @param component what owns the state, for the error after closing (e.g. {@code "optimizer"})
     */
    public StateOwner(NDManager parent, String component) {
        this.manager = parent.newSubManager();
        this.component = component;
    }

    /** The manager the state arrays are created in. */
    public NDManager manager() {
        return manager;
    }

    /** @throws IllegalStateException ({@code "<component> is closed"}) once {@link #close} has run */
    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(component + " is closed");
        }
    }

    /** Closes the state manager, freeing the arrays. Idempotent. */
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
