package io.ctta.actors.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.CheckpointLoad;
import io.ctta.runtime.checkpoint.CheckpointStore;
import io.ctta.runtime.checkpoint.StaleOwnerException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CheckpointStore} must do, run against each implementation by a subclass that
 * says how to build one, how to corrupt a committed checkpoint and how to leave one half-written.
 */
abstract class CheckpointStoreContract {

    private final AtomicInteger pipelines = new AtomicInteger();

    /** A store of {@code pipeline} keeping {@code keep} checkpoints; two calls share the same storage. */
    abstract CheckpointStore store(String pipeline, int keep) throws Exception;

    /** Damages the stored bytes of a committed checkpoint. */
    abstract void corrupt(CheckpointStore store, CheckpointEntry entry) throws Exception;

    /** Leaves {@code c}'s data stored but not committed, as a crash before the manifest would. */
    abstract void writeWithoutManifest(CheckpointStore store, Checkpoint c) throws Exception;

    /** The checkpoints (entry file names) whose data is still stored, committed or not. */
    abstract Set<String> stored(CheckpointStore store) throws Exception;

    /** A fresh pipeline name, so that the cases do not see each other's checkpoints. */
    String freshPipeline() {
        return "p" + pipelines.incrementAndGet() + "-" + getClass().getSimpleName().toLowerCase().replaceAll("[^a-z0-9]", "");
    }

    static Checkpoint checkpoint(String pipeline, long epoch, long sequence, int floats) {
        SplittableRandom r = new SplittableRandom(epoch * 1_000 + sequence);
        float[] w = new float[floats];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("param/fc.weight", new StrategyState.Tensor(new long[] {floats}, w));
        StrategyState state = new StrategyState("tent", sequence, tensors, Map.of("optimizer.steps", (double) sequence));
        return Checkpoint.of(pipeline, epoch, sequence, Map.of(pipeline + ".input", Map.of(0, 100 * sequence)), state,
                Map.of("rng", new byte[] {(byte) sequence}), 10 * sequence, "cfg", 1_700_000_000_000L + sequence);
    }

    @Test
    void aWrittenCheckpointLoadsBackEqual() throws Exception {
        String p = freshPipeline();
        CheckpointStore s = store(p, 3);
        long e = s.claimEpoch();
        Checkpoint c = checkpoint(p, e, 1, 100);
        CheckpointEntry entry = s.write(c);
        CheckpointLoad load = store(p, 3).load();
        assertEquals(c, load.checkpoint());
        assertEquals(entry, load.entry());
        assertEquals(List.of(entry), s.committed());
        assertEquals(e, s.currentEpoch());
    }

    @Test
    void aCheckpointOfMoreThanTwoMebibytesLoadsBackEqual() throws Exception {
        String p = freshPipeline();
        CheckpointStore s = store(p, 3);
        long e = s.claimEpoch();
        Checkpoint big = checkpoint(p, e, 1, 700_000); // 2.8 MB of float32
        s.write(big);
        assertEquals(big, store(p, 3).loadLatest().orElseThrow());
    }

    @Test
    void retentionKeepsTheNewestAndFreesTheRest() throws Exception {
        String p = freshPipeline();
        CheckpointStore s = store(p, 2);
        long e = s.claimEpoch();
        for (long seq = 1; seq <= 4; seq++) {
            s.write(checkpoint(p, e, seq, 50));
        }
        List<CheckpointEntry> committed = s.committed();
        assertEquals(List.of(4L, 3L), committed.stream().map(CheckpointEntry::sequence).toList());
        assertEquals(Set.copyOf(committed.stream().map(CheckpointEntry::file).toList()), stored(s));
    }

    @Test
    void aNewerOwnerFencesTheOlderOne() throws Exception {
        String p = freshPipeline();
        CheckpointStore first = store(p, 3);
        long e1 = first.claimEpoch();
        first.write(checkpoint(p, e1, 1, 20));
        CheckpointStore second = store(p, 3);
        long e2 = second.claimEpoch();
        assertTrue(e2 > e1, "a later claim has a newer epoch");

        StaleOwnerException refused = assertThrows(StaleOwnerException.class, () -> first.write(checkpoint(p, e1, 2, 20)));
        assertEquals(e2, refused.currentEpoch());
        Checkpoint newest = checkpoint(p, e2, 1, 20);
        second.write(newest);
        assertEquals(newest, store(p, 3).loadLatest().orElseThrow());
    }

    @Test
    void aCrashBeforeTheManifestLeavesThePreviousCheckpointInForce() throws Exception {
        String p = freshPipeline();
        CheckpointStore s = store(p, 3);
        long e = s.claimEpoch();
        Checkpoint committed = checkpoint(p, e, 1, 20);
        s.write(committed);
        writeWithoutManifest(s, checkpoint(p, e, 2, 20));

        CheckpointStore restarted = store(p, 3);
        assertEquals(committed, restarted.loadLatest().orElseThrow());
        assertEquals(1, restarted.committed().size());
        String kept = restarted.committed().get(0).file();
        restarted.claimEpoch(); // removes what the crashed writer left
        assertEquals(Set.of(kept), stored(restarted));
    }

    @Test
    void aCorruptNewestCheckpointFallsBackToThePreviousOne() throws Exception {
        String p = freshPipeline();
        CheckpointStore s = store(p, 3);
        long e = s.claimEpoch();
        Checkpoint older = checkpoint(p, e, 1, 20);
        s.write(older);
        CheckpointEntry newest = s.write(checkpoint(p, e, 2, 20));
        corrupt(s, newest);

        CheckpointLoad load = store(p, 3).load();
        assertEquals(older, load.checkpoint());
        assertEquals(List.of(newest.file()), load.rejected().stream().map(CheckpointLoad.Rejection::file).toList());
    }

    @Test
    void aWriteUnderAnUnclaimedEpochIsRefused() throws Exception {
        String p = freshPipeline();
        CheckpointStore s = store(p, 3);
        long e = s.claimEpoch();
        assertThrows(IllegalStateException.class, () -> s.write(checkpoint(p, e + 1, 1, 10)));
        s.write(checkpoint(p, e, 5, 10));
        assertThrows(IllegalArgumentException.class, () -> s.write(checkpoint(p, e, 5, 10)));
    }

    @Test
    void aRollbackMakesAnOlderCheckpointTheNewestAndRefusesAStaleOwner() throws Exception {
        String p = freshPipeline();
        CheckpointStore s = store(p, 3);
        long e = s.claimEpoch();
        Checkpoint first = checkpoint(p, e, 1, 10);
        s.write(first);
        s.write(checkpoint(p, e, 2, 10));
        s.write(checkpoint(p, e, 3, 10));

        assertEquals(first, s.rollbackTo(e, java.util.Optional.of(new io.ctta.runtime.checkpoint.CheckpointId(e, 1))).orElseThrow());
        assertEquals(List.of(1L), s.committed().stream().map(CheckpointEntry::sequence).toList());
        assertEquals(first, store(p, 3).loadLatest().orElseThrow());
        assertThrows(java.util.NoSuchElementException.class,
                () -> s.rollbackTo(e, java.util.Optional.of(new io.ctta.runtime.checkpoint.CheckpointId(e, 3))));

        long newer = store(p, 3).claimEpoch();
        assertThrows(StaleOwnerException.class, () -> s.rollbackTo(e, java.util.Optional.empty()));
        assertTrue(store(p, 3).rollbackTo(newer, java.util.Optional.empty()).isEmpty());
        assertTrue(store(p, 3).loadLatest().isEmpty(), "an empty target discards every committed checkpoint");
    }
}
