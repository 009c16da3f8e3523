package io.ctta.runtime.checkpoint;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link CheckpointStore#load()} found, and why it skipped what it skipped.
 *
 * @param checkpoint the checkpoint to resume from, or {@code null} when there is none
 * @param entry where it came from, or {@code null} when there is none
 * @param degraded {@code true} when the manifest was missing or corrupt and the checkpoint was
 *     chosen by scanning the directory: it is the newest valid file, but it may never have been
 *     committed (see docs/checkpoints.md)
 * @param rejected the files (manifest included) that were skipped, newest first, with the reason
 */
public record CheckpointLoad(Checkpoint checkpoint, CheckpointEntry entry, boolean degraded, List<Rejection> rejected) {

    /** A file that could not be used. */
    public record Rejection(String file, String reason) {
        public Rejection {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public CheckpointLoad {
        rejected = List.copyOf(rejected);
        if ((checkpoint == null) != (entry == null)) {
            throw new IllegalArgumentException("checkpoint and entry are both present or both absent");
        }
    }

    /** The checkpoint, if any. */
    public Optional<Checkpoint> latest() {
        return Optional.ofNullable(checkpoint);
    }

    /**
     * Whether a checkpoint had been committed but none could be loaded: every committed file is
     * missing or corrupt. A caller that resumes from scratch then loses the adapted state and
     * re-reads from the group's committed offsets; one may prefer to stop and alert instead.
     */
    public boolean allRejected() {
        return checkpoint == null && !rejected.isEmpty();
    }
}
