package io.ctta.runtime.memory;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.ctta.runtime.internal.EngineGrad;

/**
 * The native scope of one step (one message): a sub-manager of the model's manager for inputs
 * and activations, plus an {@link NDScope} that catches temporaries that DJL attaches to other
 * managers (an operation's result joins its first operand's manager, so {@code weight.mul(..)}
 * would otherwise live as long as the model). Both close together, in reverse order, on the
 * thread that opened them; grad mode is forced off on open and on close.
 *
 * <p>Anything that must outlive the step has to be copied to the heap or, for strategy state,
 * created before the step in the strategy's own manager. See docs/memory-management.md.
 */
public final class StepScope implements AutoCloseable {

    private final NDManager manager;
    private final NDScope scope;
    private final Thread owner;
    private boolean closed;

    /** Opens a step under {@code parent} (normally the model's manager). */
    public StepScope(NDManager parent) {
        EngineGrad.setGradMode(false);
        this.manager = parent.newSubManager();
        this.scope = new NDScope();
        this.owner = Thread.currentThread();
    }

    /** The manager to create this step's arrays in. */
    public NDManager manager() {
        if (closed) {
            throw new IllegalStateException("step scope is closed");
        }
        return manager;
    }

    /** Closes every array of the step. Idempotent; must run on the opening thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a step scope must be closed on the thread that opened it ("
                    + owner.getName() + "), not " + Thread.currentThread().getName());
        }
        closed = true;
        try {
            scope.close();
        } finally {
            manager.close();
            EngineGrad.setGradMode(false);
        }
    }
}
