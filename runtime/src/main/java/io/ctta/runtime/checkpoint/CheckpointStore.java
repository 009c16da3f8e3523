package io.ctta.runtime.checkpoint;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Durable checkpoints of one pipeline, with fencing of stale owners.
 *
 * <p>Order of use by an owner (a model actor that was assigned the pipeline's partitions):
 *
 * <ol>
 *   <li>{@link #claimEpoch()} once, at start: from then on, writes of every earlier owner are
 *       refused;
 *   <li>{@link #loadLatest()} (or {@link #load()}), restore the state, and seek each partition to
 *       the checkpoint's next offset;
 *   <li>{@link #write} every N records or T ms, and on shutdown or partition revoke, with
 *       {@code ownerEpoch} = the claimed epoch and an increasing sequence. Only after it returns
 *       may the offsets be committed to Kafka. On {@link StaleOwnerException} stop processing and
 *       commit nothing.
 * </ol>
 *
 * <p>One owner writes from one thread at a time. Different owners (threads, processes) may race:
 * the store serialises the commit step and lets only the newest epoch through.
 */
public interface CheckpointStore {

    /** The pipeline this store holds checkpoints of. */
    String pipeline();

    /**
     * What every store checks before it writes {@code c} for {@code pipeline}: the checkpoint is
     * that pipeline's, in the format version this build writes.
     *
     * @throws IllegalArgumentException naming what differs
     */
    static void requireWritable(String pipeline, Checkpoint c) {
        java.util.Objects.requireNonNull(c, "checkpoint");
        if (!c.pipeline().equals(pipeline)) {
            throw new IllegalArgumentException("checkpoint of pipeline '" + c.pipeline() + "' given to the store of '"
                    + pipeline + "'");
        }
        if (c.formatVersion() != CheckpointFormat.VERSION) {
            throw new IllegalArgumentException("only format version " + CheckpointFormat.VERSION
                    + " is written, the checkpoint says " + c.formatVersion());
        }
    }

    /**
     * The newest epoch claimed so far (0 when none): a writer must carry exactly this epoch.
     *
     * @throws IOException when the store cannot be read
     */
    long currentEpoch() throws IOException;

    /**
     * Claims ownership: persists and returns {@code currentEpoch() + 1}, atomically with respect to
     * other claims and commits. Also removes what crashed writers left behind.
     *
     * @throws IOException when the claim cannot be persisted
     */
    long claimEpoch() throws IOException;

    /**
     * Writes {@code checkpoint} durably and makes it the newest committed checkpoint.
     *
     * @return the manifest entry of the committed checkpoint
     * @throws StaleOwnerException when a newer owner has claimed the pipeline since the writer's
     *     epoch: nothing was committed
     * @throws IllegalStateException when the checkpoint's epoch was never claimed
     * @throws IllegalArgumentException when it belongs to another pipeline, or its sequence does
     *     not increase within its epoch
     * @throws IOException when it cannot be written; the previous checkpoint stays the newest
     */
    CheckpointEntry write(Checkpoint checkpoint) throws IOException, StaleOwnerException;

    /**
     * The newest committed checkpoint that is intact, falling back to older committed ones when
     * the newest is missing or corrupt, and reporting every file it skipped and why.
     *
     * @throws IOException when the directory cannot be read at all
     */
    CheckpointLoad load() throws IOException;

    /**
     * {@link #load()} without the report.
     *
     * @throws IOException when the directory cannot be read at all
     */
    default Optional<Checkpoint> loadLatest() throws IOException {
        return load().latest();
    }

    /**
     * The committed checkpoints the manifest lists, newest first (empty when none, or when the
     * manifest is unreadable).
     *
     * @throws IOException when the directory cannot be read
     */
    List<CheckpointEntry> committed() throws IOException;

    /**
     * Makes an older committed checkpoint the newest again, discarding the committed ones written
     * after it (the exactly-once output mode: those were never covered by a committed Kafka
     * transaction, so resuming from them would skip outputs). With {@code target} empty every
     * committed checkpoint is discarded.
     *
     * @param ownerEpoch the caller's claimed epoch; a stale owner is refused
     * @param target the epoch and sequence of the checkpoint to keep as the newest, or empty for none
     * @return the checkpoint now newest, empty when {@code target} was empty
     * @throws java.util.NoSuchElementException when {@code target} is not among the committed checkpoints
     * @throws StaleOwnerException when a newer owner claimed the pipeline
     */
    Optional<Checkpoint> rollbackTo(long ownerEpoch, Optional<CheckpointId> target) throws IOException, StaleOwnerException;
}
