package io.ctta.adapters.support;

import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.diagnostics.Plasticity;
import io.ctta.runtime.model.AdaptiveModel;
import java.util.Optional;

/**
 * The model a strategy owns and the strategy's closed flag: the open check, the close-once
 * sequence (what the strategy created first, then the model) and the answers that depend on the
 * model only.
 */
public final class OwnedModel {

    private final String strategy;
    private final AdaptiveModel model;
    private boolean closed;

    /** @param strategy the strategy's name, for messages */
    public OwnedModel(String strategy, AdaptiveModel model) {
        this.strategy = strategy;
        this.model = model;
    }

    /** The model. */
    public AdaptiveModel model() {
        return model;
    }

    /** Throws {@link IllegalStateException} once the strategy is closed. */
    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("strategy " + strategy + " is closed");
        }
    }

    /** The model's live native bytes, 0 once it is closed. */
    public long nativeBytes() {
        return model.isClosed() ? 0 : model.liveBytes();
    }

    /** What plasticity diagnostics of the model are measured from (empty when they cannot be). */
    public Optional<Plasticity.Features> plasticity(InputBatch probe) {
        return Plasticity.tryCapture(model, probe);
    }

    /**
     * A batch of one sample has no batch statistics: its eval-mode prediction, marked skipped.
     */
    public ModelOutput evalModeSkipped(InputBatch batch) {
        return model.predict(batch).withStep(StepOutcome.skipped(Double.NaN, "batch of 1: eval-mode prediction"));
    }

    /**
     * The first call closes {@code owned} (nulls skipped; each one even after another failed), then
     * the model even when one of them failed, and rethrows the first failure; later calls do nothing.
     */
    public void close(AutoCloseable... owned) {
        if (!closed) {
            closed = true;
            try {
                closeAll(owned);
            } finally {
                model.close();
            }
        }
    }

    /** Closes every resource (nulls skipped), even after a failure; rethrows the first failure. */
    public static void closeAll(AutoCloseable... resources) {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
