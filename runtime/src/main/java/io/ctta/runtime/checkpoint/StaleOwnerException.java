package io.ctta.runtime.checkpoint;

/**
 * A checkpoint was refused because a newer owner has claimed the pipeline since this writer
 * claimed its epoch (after a rebalance, a restart, or a second process on the same directory).
 *
 * <p>The writer is a zombie: it must stop processing the pipeline and must <em>not</em> commit
 * the checkpoint's offsets to Kafka. It is checked on purpose, so a caller cannot mistake it for
 * a transient I/O error and retry.
 */
public final class StaleOwnerException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String pipeline;
    private final long writerEpoch;
    private final long currentEpoch;

    /**
     * @param pipeline the pipeline
     * @param writerEpoch the epoch of the refused writer
     * @param currentEpoch the newest claimed epoch in the store
     */
    public StaleOwnerException(String pipeline, long writerEpoch, long currentEpoch) {
        super("checkpoint of pipeline '" + pipeline + "' refused: it was written under owner epoch " + writerEpoch
                + " but epoch " + currentEpoch + " has been claimed since; this owner is stale and must stop"
                + " without committing offsets");
        this.pipeline = pipeline;
        this.writerEpoch = writerEpoch;
        this.currentEpoch = currentEpoch;
    }

    /** The pipeline. */
    public String pipeline() {
        return pipeline;
    }

    /** The epoch of the refused writer. */
    public long writerEpoch() {
        return writerEpoch;
    }

    /** The newest claimed epoch in the store. */
    public long currentEpoch() {
        return currentEpoch;
    }
}
