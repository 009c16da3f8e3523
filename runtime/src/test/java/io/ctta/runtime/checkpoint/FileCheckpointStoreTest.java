package io.ctta.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCheckpointStoreTest {
    @TempDir
    Path root;

    private FileCheckpointStore store() throws IOException {
        return new FileCheckpointStore(root, Fixtures.PIPELINE, 3, (CrashPoint) null);
    }

    private Set<String> files(FileCheckpointStore s) throws IOException {
        try (Stream<Path> l = Files.list(s.directory())) {
            return l.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private Set<String> checkpointFiles(FileCheckpointStore s) throws IOException {
        return files(s).stream().filter(n -> n.endsWith(".ckpt")).collect(Collectors.toSet());
    }

    private static void flipByte(Path file, long at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) at] ^= 0x10;
        Files.write(file, b);
    }

    @Test
    void emptyStoreHasNothingAndEpochZero() throws Exception {
        FileCheckpointStore s = store();
        assertEquals(0, s.currentEpoch());
        assertTrue(s.loadLatest().isEmpty());
        assertTrue(s.committed().isEmpty());
        assertFalse(s.load().allRejected());
        assertEquals(root.resolve(Fixtures.PIPELINE).toRealPath(), s.directory());
    }

    @Test
    void writeThenLoadRoundTrips() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        assertEquals(1, epoch);
        assertEquals(1, s.currentEpoch());
        assertTrue(s.loadLatest().isEmpty(), "a claim commits no checkpoint");
        Checkpoint c = Fixtures.checkpoint(epoch, 1);
        CheckpointEntry e = s.write(c);
        assertEquals(List.of(e), s.committed());
        assertEquals(CheckpointFormat.verify(s.directory().resolve(e.file())), e.sha256());
        CheckpointLoad load = store().load();
        assertEquals(c, load.checkpoint());
        assertEquals(e, load.entry());
        assertFalse(load.degraded());
        assertTrue(load.rejected().isEmpty());
        assertEquals(Set.of("MANIFEST", "EPOCH", ".lock", e.file()), files(s));
    }

    /** Real DJL parameters (BN running statistics moved by a train-mode pass) survive the store. */
    @Test
    void modelStateRestoredFromTheStorePredictsIdentically() throws Exception {
        InputBatch batch = TestData.batch(8, 4);
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        try (AdaptiveModel a = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
                AdaptiveModel b = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 2)) {
            try (StepScope step = a.newStep()) {
                a.forward(step.manager(), batch, ForwardMode.TRAIN);
            }
            Map<String, StrategyState.Tensor> params = a.snapshotParameters(ParameterSelector.all());
            StrategyState state = new StrategyState("source", 1, params, Map.of());
            s.write(Checkpoint.of(Fixtures.PIPELINE, epoch, 1, Map.of("in", Map.of(0, 8L)), state, Map.of(), 8,
                    "cfg", 0));
            Checkpoint back = store().loadLatest().orElseThrow();
            b.restoreParameters(back.state().tensors());
            float[] expected = a.predict(batch).probabilities();
            float[] actual = b.predict(batch).probabilities();
            assertArrayEquals(expected, actual, 0f);
            Map<String, StrategyState.Tensor> restored = b.snapshotParameters(ParameterSelector.all());
            params.forEach((k, v) -> assertArrayEquals(v.data(), restored.get(k).data(), 0f, k));
        }
    }

    @Test
    void corruptOrMissingNewestFallsBackToThePreviousCommittedOne() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        List<CheckpointEntry> e = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            e.add(s.write(Fixtures.checkpoint(epoch, i)));
        }
        Path newest = s.directory().resolve(e.get(2).file());
        flipByte(newest, Files.size(newest) / 2);
        CheckpointLoad load = s.load();
        assertEquals(Fixtures.checkpoint(epoch, 2), load.checkpoint());
        assertEquals(1, load.rejected().size());
        assertEquals(e.get(2).file(), load.rejected().get(0).file());
        assertTrue(load.rejected().get(0).reason().startsWith("SHA-256 mismatch"), load.rejected().get(0).reason());

        Files.delete(s.directory().resolve(e.get(1).file()));
        load = s.load();
        assertEquals(Fixtures.checkpoint(epoch, 1), load.checkpoint());
        assertEquals("the file is missing", load.rejected().get(1).reason());

        // A valid checkpoint file swapped in under a committed name is not what was committed.
        Files.write(s.directory().resolve(e.get(0).file()), CheckpointFormat.encode(Fixtures.checkpoint(epoch, 9)));
        load = s.load();
        assertTrue(load.allRejected());
        assertTrue(load.rejected().get(2).reason().contains("is not the committed"), load.rejected().get(2).reason());
        assertTrue(s.loadLatest().isEmpty());
    }

    @Test
    void truncatedNewestFallsBack() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        s.write(Fixtures.checkpoint(epoch, 1));
        CheckpointEntry newest = s.write(Fixtures.checkpoint(epoch, 2));
        Path f = s.directory().resolve(newest.file());
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 100));
        CheckpointLoad load = s.load();
        assertEquals(1, load.checkpoint().sequence());
        assertTrue(load.rejected().get(0).reason().startsWith("truncated"), load.rejected().get(0).reason());
    }

    @Test
    void staleOwnerCannotSwitchTheManifestAfterANewerClaim() throws Exception {
        FileCheckpointStore a = store();
        FileCheckpointStore b = store();
        long ea = a.claimEpoch();
        CheckpointEntry committed = a.write(Fixtures.checkpoint(ea, 1));
        long eb = b.claimEpoch();
        assertEquals(ea + 1, eb);
        StaleOwnerException stale = assertThrows(StaleOwnerException.class, () -> a.write(Fixtures.checkpoint(ea, 2)));
        assertEquals(ea, stale.writerEpoch());
        assertEquals(eb, stale.currentEpoch());
        assertEquals(List.of(committed), a.committed());
        assertEquals(Set.of(committed.file()), checkpointFiles(a));
        // The new owner resumes from the old owner's last committed checkpoint and goes on.
        Checkpoint resumed = b.loadLatest().orElseThrow();
        assertEquals(1, resumed.sequence());
        CheckpointEntry next = b.write(Fixtures.checkpoint(eb, 2));
        assertEquals(next, b.committed().get(0));
        assertThrows(StaleOwnerException.class, () -> a.write(Fixtures.checkpoint(ea, 3)));
        assertEquals(next, a.committed().get(0));
    }

    /**
     * The window the lock closes: the stale writer passed its early check and renamed its file,
     * then the new owner claimed before the manifest switch. The re-check under the lock refuses it.
     */
    @Test
    void claimBetweenRenameAndSwitchIsFenced() throws Exception {
        FileCheckpointStore b = store();
        FileCheckpointStore a = new FileCheckpointStore(root, Fixtures.PIPELINE, 3, p -> {
            if (p == CrashPoint.AFTER_DIR_FSYNC) {
                try {
                    b.claimEpoch();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        long ea = a.claimEpoch();
        // The hook makes b claim epoch 2 after a's early check passed and its file was renamed.
        StaleOwnerException stale = assertThrows(StaleOwnerException.class, () -> a.write(Fixtures.checkpoint(ea, 1)));
        assertEquals(2, stale.currentEpoch());
        assertEquals(2, b.currentEpoch());
        assertTrue(b.committed().isEmpty(), "no checkpoint of the stale owner may be committed: " + b.committed());
        assertTrue(checkpointFiles(b).isEmpty(), "the refused files are removed: " + checkpointFiles(b));
    }

    @Test
    void writesNeedTheClaimedEpochAndAnIncreasingSequence() throws Exception {
        FileCheckpointStore s = store();
        IllegalStateException never = assertThrows(IllegalStateException.class,
                () -> s.write(Fixtures.checkpoint(1, 1)));
        assertTrue(never.getMessage().contains("never claimed"), never.getMessage());
        long epoch = s.claimEpoch();
        s.write(Fixtures.checkpoint(epoch, 5));
        IllegalArgumentException seq = assertThrows(IllegalArgumentException.class,
                () -> s.write(Fixtures.checkpoint(epoch, 5)));
        assertTrue(seq.getMessage().contains("sequence must increase"), seq.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.write(Fixtures.checkpoint("other", epoch, 6)));
        // A new epoch may restart its sequence anywhere.
        long next = s.claimEpoch();
        s.write(Fixtures.checkpoint(next, 0));
        assertEquals(0, s.loadLatest().orElseThrow().sequence());
        assertEquals(Set.of(), files(s).stream().filter(n -> n.endsWith(".tmp")).collect(Collectors.toSet()));
    }

    @Test
    void retentionKeepsTheNewestK() throws Exception {
        FileCheckpointStore s = new FileCheckpointStore(root, Fixtures.PIPELINE, 2, (CrashPoint) null);
        long epoch = s.claimEpoch();
        List<CheckpointEntry> all = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            all.add(s.write(Fixtures.checkpoint(epoch, i)));
        }
        assertEquals(List.of(all.get(4), all.get(3)), s.committed());
        assertEquals(Set.of(all.get(4).file(), all.get(3).file()), checkpointFiles(s));
        // Retention spans epochs: the newest owner's checkpoints first, then the older owner's.
        long next = s.claimEpoch();
        CheckpointEntry n = s.write(Fixtures.checkpoint(next, 1));
        assertEquals(List.of(n, all.get(4)), s.committed());
        assertEquals(Set.of(n.file(), all.get(4).file()), checkpointFiles(s));
    }

    @Test
    void concurrentClaimsFromTwoStoresNeverShareAnEpoch() throws Exception {
        FileCheckpointStore a = store();
        FileCheckpointStore b = store();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Long>>> f = new ArrayList<>();
            for (FileCheckpointStore s : List.of(a, b)) {
                f.add(pool.submit(() -> {
                    List<Long> got = new ArrayList<>();
                    for (int i = 0; i < 15; i++) {
                        got.add(s.claimEpoch());
                    }
                    return got;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> x : f) {
                all.addAll(x.get());
            }
            assertEquals(30, all.size(), "every claim got its own epoch");
            assertEquals(30, a.currentEpoch());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lostManifestFallsBackToTheNewestIntactFileAndClaimRepairsIt() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        s.write(Fixtures.checkpoint(epoch, 1));
        CheckpointEntry two = s.write(Fixtures.checkpoint(epoch, 2));
        Files.delete(s.directory().resolve(FileCheckpointStore.MANIFEST));
        CheckpointLoad load = s.load();
        assertTrue(load.degraded());
        assertEquals(2, load.checkpoint().sequence());
        assertEquals(epoch, s.currentEpoch(), "the claim survives in EPOCH");

        // A corrupt manifest is reported and treated the same way.
        Files.writeString(s.directory().resolve(FileCheckpointStore.MANIFEST), "ctta-checkpoint-manifest 1\ngarbage\n");
        load = s.load();
        assertTrue(load.degraded());
        assertEquals(FileCheckpointStore.MANIFEST, load.rejected().get(0).file());
        assertEquals(2, load.checkpoint().sequence());

        long next = s.claimEpoch();
        assertEquals(epoch + 1, next);
        CheckpointLoad repaired = s.load();
        assertFalse(repaired.degraded());
        assertEquals(two, repaired.entry());
        assertEquals(2, s.committed().size());
    }

    @Test
    void writeWithACorruptManifestRebuildsItFromTheIntactFiles() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        CheckpointEntry one = s.write(Fixtures.checkpoint(epoch, 1));
        CheckpointEntry two = s.write(Fixtures.checkpoint(epoch, 2));
        Path manifest = s.directory().resolve(FileCheckpointStore.MANIFEST);
        flipByte(manifest, 30);
        assertTrue(s.committed().isEmpty(), "an unreadable manifest lists nothing");
        CheckpointEntry three = s.write(Fixtures.checkpoint(epoch, 3));
        assertEquals(List.of(three, two, one), s.committed());
        assertEquals(Fixtures.checkpoint(epoch, 3), s.load().checkpoint());
        assertFalse(s.load().degraded());
    }

    @Test
    void scanNeverLoadsAFileNewerThanAnyClaim() throws Exception {
        FileCheckpointStore s = store();
        long epoch = s.claimEpoch();
        s.write(Fixtures.checkpoint(epoch, 1));
        Files.delete(s.directory().resolve(FileCheckpointStore.MANIFEST));
        // A well-formed file from an epoch nobody claimed here (copied in from elsewhere).
        String name = String.format("ckpt-e%019d-s%019d-%s.ckpt", 7L, 1L, "0123456789ab");
        try (OutputStream out = Files.newOutputStream(s.directory().resolve(name))) {
            CheckpointFormat.write(Fixtures.checkpoint(7, 1), out);
        }
        CheckpointLoad load = s.load();
        assertEquals(epoch, load.checkpoint().ownerEpoch());
        assertEquals(name, load.rejected().get(0).file());
        assertTrue(load.rejected().get(0).reason().contains("newer than the newest recorded claim"));
        // For fencing the foreign file still counts: higher is the safe direction.
        assertEquals(7, s.currentEpoch());
    }

    @Test
    void rejectsBadConstructionArguments() {
        assertThrows(IllegalArgumentException.class, () -> new FileCheckpointStore(root, "../escape"));
        assertThrows(IllegalArgumentException.class, () -> new FileCheckpointStore(root, "a/b"));
        assertThrows(IllegalArgumentException.class, () -> new FileCheckpointStore(root, "p", 0));
    }
}
