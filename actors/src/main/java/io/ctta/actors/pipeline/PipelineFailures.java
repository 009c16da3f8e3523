package io.ctta.actors.pipeline;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Pipelines that stopped for good, and why: shared by every pipeline of a runtime, so that the
 * command that started them ({@code ctta run}, {@code ctta demo}) fails at once with the reason
 * instead of waiting for predictions that will never come. Thread-safe.
 */
public final class PipelineFailures {

    /** One pipeline that stopped for good. */
    public record Failure(String pipeline, String reason) {
        @Override
        public String toString() {
            return "pipeline " + pipeline + " stopped: " + reason;
        }
    }

    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Failure> first = new CompletableFuture<>();

    /** Records that {@code pipeline} stopped for good. */
    public void failed(String pipeline, String reason) {
        Failure f = new Failure(pipeline, reason);
        failures.add(f);
        first.complete(f);
    }

    /** Completes with the first failure. */
    public CompletableFuture<Failure> firstFailure() {
        return first;
    }

    /** The first failure so far, if any. */
    public Optional<Failure> first() {
        return failures.isEmpty() ? Optional.empty() : Optional.of(failures.get(0));
    }

    /** Every failure so far, in order. */
    public List<Failure> all() {
        return List.copyOf(failures);
    }
}
