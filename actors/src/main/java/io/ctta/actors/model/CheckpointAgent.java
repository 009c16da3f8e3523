package io.ctta.actors.model;

import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointId;
import io.ctta.runtime.checkpoint.CheckpointLoad;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.runtime.checkpoint.CheckpointStore;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.runtime.checkpoint.StaleOwnerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model actor's side of the checkpoint protocol: it claims an owner epoch, restores the newest
 * valid checkpoint, tracks the next offset per partition of everything applied to the model since,
 * and writes a checkpoint (state plus those offsets) when one is due. Offsets may be committed to
 * Kafka only after the checkpoint was stored ({@link #completed}).
 *
 * <p>Everything but {@link #store(Checkpoint)} is confined to the model actor's thread. {@code
 * store} does the file IO (write, fsync, rename, manifest switch) and runs on a blocking-IO thread,
 * one at a time: the model actor does not touch the store while a write is in flight.
 */
public final class CheckpointAgent {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointAgent.class);

    private final CheckpointSettings settings;
    private final CheckpointStore store;
    private final String pipeline;
    private final String configHash;
    private final long epoch;
    private final Map<String, Map<Integer, Long>> applied = new TreeMap<>();
    private Checkpoint last;
    private long sequence;
    private long recordsApplied;
    private long sinceLast;
    /** Offsets moved since the last capture (records applied, or passed over without reaching the model). */
    private boolean moved;
    private long lastWriteMs;

    private CheckpointAgent(CheckpointSettings settings, CheckpointStore store, String pipeline, String configHash) throws IOException {
        this.settings = settings;
        this.store = store;
        this.pipeline = pipeline;
        this.configHash = configHash;
        this.epoch = store.claimEpoch();
        CheckpointLoad load = store.load();
        for (CheckpointLoad.Rejection r : load.rejected()) {
            LOG.warn("pipeline {}: checkpoint {} rejected: {}", pipeline, r.file(), r.reason());
        }
        this.last = load.latest().orElse(null);
        if (last != null) {
            sequence = last.sequence();
            recordsApplied = last.recordsApplied();
            copyOffsets(last.offsets());
            LOG.info("pipeline {}: resuming from checkpoint {} (epoch {}, {} records applied, offsets {})",
                    pipeline, last.sequence(), last.ownerEpoch(), last.recordsApplied(), last.offsets());
        }
        this.lastWriteMs = System.currentTimeMillis();
    }

    /** Opens the pipeline's store, claims a new epoch and loads the newest valid checkpoint. */
    public static CheckpointAgent open(CheckpointSettings settings, String pipeline, String configHash) {
        try {
            return open(settings, new FileCheckpointStore(settings.dir(), pipeline, settings.keep()), configHash);
        } catch (IOException e) {
            throw new UncheckedIOException("pipeline " + pipeline + ": cannot open checkpoints under " + settings.dir(), e);
        }
    }

    /** As {@link #open(CheckpointSettings, String, String)} over a given store (its pipeline's). */
    public static CheckpointAgent open(CheckpointSettings settings, CheckpointStore store, String configHash) {
        String pipeline = store.pipeline();
        try {
            return new CheckpointAgent(settings, store, pipeline, configHash);
        } catch (IOException e) {
            throw new UncheckedIOException("pipeline " + pipeline + ": cannot open checkpoints in " + store, e);
        }
    }

    /** The checkpoint restored at start or last written, if any. */
    Optional<Checkpoint> last() {
        return Optional.ofNullable(last);
    }

    /** Forgets what was applied since the last checkpoint: the model was rolled back to it. */
    void rewind() {
        applied.clear();
        sinceLast = 0;
        moved = false;
        if (last != null) {
            copyOffsets(last.offsets());
            recordsApplied = last.recordsApplied();
        }
    }

    /** The next offset per partition reflected by the last checkpoint (empty when there is none). */
    Map<String, Map<Integer, Long>> checkpointedOffsets() {
        return last == null ? Map.of() : last.offsets();
    }

    /** Records that a batch ending at these next offsets was applied to the model. */
    void applied(Map<String, Map<Integer, Long>> nextOffsets, int records) {
        nextOffsets.forEach((topic, parts) -> parts.forEach((p, o) -> applied.computeIfAbsent(topic, t -> new TreeMap<>()).merge(p, o, Math::max)));
        recordsApplied += records;
        sinceLast += records;
        moved = true;
    }

    /** Whether the count or the time trigger fired. */
    boolean due(long nowMs) {
        if (!moved) {
            return false;
        }
        boolean byCount = settings.everyRecords() > 0 && sinceLast >= settings.everyRecords();
        boolean byTime = !settings.interval().isZero() && nowMs - lastWriteMs >= settings.interval().toMillis();
        return byCount || byTime;
    }

    /**
     * What a checkpoint will hold, captured when it fell due and written once its outputs are
     * acknowledged.
     *
     * @param sections the pipeline's state beyond the model (checkpoint extras), captured at the
     *     same point of the stream: the model actor's own parts at capture, the stream's parts
     *     attached by the stream right after it saw the same batch
     */
    public record Pending(long token, StrategyState state, Map<String, Map<Integer, Long>> offsets, long recordsApplied,
            Map<String, byte[]> sections) {
        public Pending {
            sections = Map.copyOf(sections);
        }

        /** This capture with more sections (the stream's). */
        Pending with(Map<String, byte[]> more) {
            Map<String, byte[]> all = new HashMap<>(sections);
            all.putAll(more);
            return new Pending(token, state, offsets, recordsApplied, all);
        }
    }

    /** Captures the state with the offsets applied so far; nothing is written yet. */
    Pending capture(long token, StrategyState state, Map<String, byte[]> sections) {
        Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
        applied.forEach((t, m) -> offsets.put(t, new TreeMap<>(m)));
        sinceLast = 0;
        moved = false;
        lastWriteMs = System.currentTimeMillis();
        return new Pending(token, state, offsets, recordsApplied, sections);
    }

    /**
     * Makes the checkpoint of a captured state and reserves its sequence number, so a failed or
     * unknown write is never followed by a write of the same number. On the actor's thread.
     */
    Checkpoint prepare(Pending p) {
        Checkpoint c = Checkpoint.of(pipeline, epoch, sequence + 1, p.offsets(), p.state(), p.sections(), p.recordsApplied(), configHash,
                System.currentTimeMillis());
        sequence = c.sequence();
        return c;
    }

    /**
     * Writes a prepared checkpoint to the store: file, fsync, rename, manifest. Blocking IO, on a
     * blocking-IO thread; nothing else uses the store meanwhile.
     *
     * @throws StaleOwnerException when a newer owner claimed the pipeline: this owner must stop
     * @throws UncheckedIOException when the write failed (whether it was committed is unknown)
     */
    void store(Checkpoint c) throws StaleOwnerException {
        try {
            store.write(c);
        } catch (IOException e) {
            throw new UncheckedIOException("pipeline " + pipeline + ": checkpoint write failed", e);
        }
    }

    /**
     * Records that {@code c} was stored; back on the actor's thread.
     *
     * @return the offsets the new checkpoint reflects, safe to commit to Kafka now
     */
    Written completed(Checkpoint c) {
        last = c;
        return new Written(new CheckpointId(epoch, c.sequence()), c.offsets());
    }

    /** A checkpoint just committed to the store, and the next offsets it reflects. */
    public record Written(CheckpointId id, Map<String, Map<Integer, Long>> offsets) {}

    /**
     * Exactly-once output: makes the checkpoint named by the last committed Kafka transaction the
     * newest (the ones written after it were never covered by a commit: their outputs were aborted)
     * and rewinds to it; with none named, discards every checkpoint and starts from the source.
     *
     * @return the checkpoint to restore, or empty for the source weights
     */
    Optional<Checkpoint> rewindTo(Optional<CheckpointId> committed) throws StaleOwnerException {
        boolean current = committed.isPresent() && last != null && last.ownerEpoch() == committed.get().epoch()
                && last.sequence() == committed.get().sequence();
        if (!current) {
            try {
                last = store.rollbackTo(epoch, committed).orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException("pipeline " + pipeline + ": cannot roll the checkpoints back to " + committed, e);
            }
            LOG.info("pipeline {}: resuming from the checkpoint of the last committed transaction: {}", pipeline,
                    last == null ? "none (source weights)" : last.sequence() + " of epoch " + last.ownerEpoch() + ", offsets " + last.offsets());
        }
        applied.clear();
        sinceLast = 0;
        moved = false;
        recordsApplied = last == null ? 0 : last.recordsApplied();
        if (last != null) {
            copyOffsets(last.offsets());
        }
        return Optional.ofNullable(last);
    }

    long recordsApplied() {
        return recordsApplied;
    }

    private void copyOffsets(Map<String, Map<Integer, Long>> from) {
        applied.clear();
        from.forEach((t, m) -> applied.put(t, new TreeMap<>(m)));
    }

    static Map<String, Map<Integer, Long>> copy(Map<String, Map<Integer, Long>> m) {
        Map<String, Map<Integer, Long>> out = new HashMap<>();
        m.forEach((t, p) -> out.put(t, Map.copyOf(p)));
        return out;
    }
}
