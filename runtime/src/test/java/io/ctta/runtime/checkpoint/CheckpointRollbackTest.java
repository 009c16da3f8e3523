package io.ctta.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rollbackTo}: the checkpoint a committed Kafka transaction names becomes the newest again,
 * the ones after it are gone for good, and only the current owner may do it.
 */
class CheckpointRollbackTest {

    @TempDir
    Path root;

    private FileCheckpointStore store() throws Exception {
        return new FileCheckpointStore(root, Fixtures.PIPELINE, 3);
    }

    @Test
    void rollingBackDropsTheNewerCheckpointsAndTheNextWriteGoesOn() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        for (long seq = 1; seq <= 3; seq++) {
            s.write(Fixtures.checkpoint(epoch, seq));
        }
        Checkpoint back = s.rollbackTo(epoch, Optional.of(new CheckpointId(epoch, 2))).orElseThrow();
        assertEquals(2, back.sequence());
        assertEquals(2, s.loadLatest().orElseThrow().sequence(), "the named checkpoint is the newest again");
        assertEquals(List.of(2L, 1L), s.committed().stream().map(CheckpointEntry::sequence).toList());

        s.write(Fixtures.checkpoint(epoch, 4));
        assertEquals(List.of(4L, 2L, 1L), s.committed().stream().map(CheckpointEntry::sequence).toList(),
                "the dropped sequence 3 never comes back");
        assertEquals(4, store().loadLatest().orElseThrow().sequence());
    }

    @Test
    void rollingBackToTheNewestChangesNothing() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        s.write(Fixtures.checkpoint(epoch, 1));
        s.write(Fixtures.checkpoint(epoch, 2));
        assertEquals(2, s.rollbackTo(epoch, Optional.of(new CheckpointId(epoch, 2))).orElseThrow().sequence());
        assertEquals(2, s.committed().size());
    }

    @Test
    void noCommittedPointerDiscardsEveryCheckpoint() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        s.write(Fixtures.checkpoint(epoch, 1));
        assertTrue(s.rollbackTo(epoch, Optional.empty()).isEmpty());
        assertTrue(s.loadLatest().isEmpty());
        assertTrue(s.committed().isEmpty());
    }

    @Test
    void aCheckpointNotInTheManifestIsAnError() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        s.write(Fixtures.checkpoint(epoch, 1));
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> s.rollbackTo(epoch, Optional.of(new CheckpointId(epoch, 7))));
        assertTrue(e.getMessage().contains("e" + epoch + "/s7"), e.getMessage());
        assertEquals(1, s.loadLatest().orElseThrow().sequence(), "nothing changed");
    }

    @Test
    void aStaleOwnerCannotRollBack() throws Exception {
        FileCheckpointStore s = store();
        long old = s.claimEpoch();
        s.write(Fixtures.checkpoint(old, 1));
        s.write(Fixtures.checkpoint(old, 2));
        long newer = store().claimEpoch();
        assertThrows(StaleOwnerException.class, () -> s.rollbackTo(old, Optional.of(new CheckpointId(old, 1))));
        assertEquals(2, s.loadLatest().orElseThrow().sequence(), "the newer owner's view is untouched");
        assertTrue(newer > old);
    }
}
