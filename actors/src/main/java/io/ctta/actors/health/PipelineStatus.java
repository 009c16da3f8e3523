package io.ctta.actors.health;

import java.time.Instant;

/**
 * One pipeline's state as the last transition left it.
 *
 * @param name the pipeline
 * @param strategy the strategy it was configured with
 * @param state where it is
 * @param since when it entered {@code state}
 * @param restarts restarts of its graph since the process started
 * @param attempt failures in a row since it last ran healthily (0 while healthy)
 * @param nextRetry when the next restart is due while it waits out a backoff; null otherwise
 * @param lastError the last failure's message, kept after recovery; null when none happened
 * @param lastErrorAt when {@code lastError} happened; null when none did
 */
public record PipelineStatus(String name, String strategy, PipelineState state, Instant since, int restarts, int attempt,
        Instant nextRetry, String lastError, Instant lastErrorAt) {

    /** A pipeline that was just configured. */
    static PipelineStatus starting(String name, String strategy, Instant now) {
        return new PipelineStatus(name, strategy, PipelineState.STARTING, now, 0, 0, null, null, null);
    }

    PipelineStatus to(PipelineState next, Instant now) {
        return new PipelineStatus(name, strategy, next, next == state ? since : now, restarts, attempt, null, lastError, lastErrorAt);
    }

    PipelineStatus withError(String error, Instant at) {
        return new PipelineStatus(name, strategy, state, since, restarts, attempt, nextRetry, error, at);
    }
}
