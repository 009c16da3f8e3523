package io.ctta.actors.health;

/** Where a pipeline is in its life; owned by its supervisor, read by health probes and {@code /api/pipelines}. */
public enum PipelineState {
    /** Its model actor is creating the strategy (and warming it up) or its graph is being started. */
    STARTING,
    /** Its graph is up and, after a failure, has served a batch again (or run healthily for 30 s). */
    RUNNING,
    /**
     * Hot standby (scope = pipeline, standby = true): another process holds the pipeline's lease and
     * serves; this one has no model and no graph, and takes over when the lease comes to it. Ready.
     */
    STANDBY,
    /** Its graph failed; it waits out a backoff (or retries) and has not served a batch since. */
    RESTARTING,
    /** It stopped without failing: drained on shutdown, its input ended, or a newer owner took its checkpoints. */
    STOPPED,
    /** It stopped for good because of an error retrying cannot fix. */
    FAILED
}
