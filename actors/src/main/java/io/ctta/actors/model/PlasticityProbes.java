package io.ctta.actors.model;

import io.ctta.runtime.diagnostics.Plasticity;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Measures a model actor's plasticity probes off the model's thread. Why: a probe's singular
 * values (a one-sided Jacobi SVD of the batch's penultimate features) took about 10 % of the
 * pipeline's Java CPU samples on the model actor (docs/benchmarks/pipeline.md), time the next
 * batch waited for. The actor takes the features on its own thread (that needs the model), hands
 * them here, and a later reply carries the measures once they are ready: the gauges describe the
 * sampled batch as before, published a few batches later. At most one measure is in flight; a
 * sample due while one runs is skipped. Confined to the actor's thread, apart from the measuring.
 */
final class PlasticityProbes {

    private final Executor executor;
    private CompletableFuture<Plasticity.Probe> inFlight;

    /** @param executor where to measure (not the model dispatcher) */
    PlasticityProbes(Executor executor) {
        this.executor = executor;
    }

    /** Whether a new sample would be measured now (none in flight). */
    boolean idle() {
        return inFlight == null;
    }

    /** Starts measuring {@code features}; ignored while another measure is in flight. */
    void submit(Plasticity.Features features) {
        if (inFlight == null) {
            inFlight = CompletableFuture.supplyAsync(features::measure, executor);
        }
    }

    /**
     * The measured probe, once, when it is ready; null when none is ready, and when measuring
     * failed (non-finite features have no singular values: no probe, as before).
     */
    Plasticity.Probe poll() {
        if (inFlight == null || !inFlight.isDone()) {
            return null;
        }
        CompletableFuture<Plasticity.Probe> done = inFlight;
        inFlight = null;
        try {
            return done.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }
}
