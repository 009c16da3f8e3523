package io.ctta.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A crash at every step of the write protocol: what is on disk afterwards, what a restarted owner
 * loads, and that the next claim cleans up. Each step is tested twice: in process (the hook throws
 * an Error, which skips all cleanup like a crash would) and in a child JVM that really halts.
 */
class CrashRecoveryTest {
    @TempDir
    Path root;

    /** Thrown by the test hook: an Error, so the store's IOException/RuntimeException cleanup does not run. */
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(CrashPoint p) {
            super("simulated crash at " + p, null, false, false);
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> l = Files.list(dir)) {
            return l.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /** Epoch 1 with sequence 1 committed. */
    private CheckpointEntry committedFirst() throws Exception {
        FileCheckpointStore s = new FileCheckpointStore(root, Fixtures.PIPELINE, 3, (CrashPoint) null);
        long epoch = s.claimEpoch();
        return s.write(Fixtures.checkpoint(epoch, 1));
    }

    private void assertRecovers(CrashPoint p, CheckpointEntry first) throws Exception {
        FileCheckpointStore restarted = new FileCheckpointStore(root, Fixtures.PIPELINE, 3, (CrashPoint) null);
        Path dir = restarted.directory();
        Set<String> left = names(dir);
        boolean switched = p == CrashPoint.AFTER_MANIFEST_SWITCH;
        long tmps = left.stream().filter(n -> n.endsWith(".tmp")).count();
        long ckpts = left.stream().filter(n -> n.endsWith(".ckpt")).count();
        boolean temp = p == CrashPoint.AFTER_TEMP_WRITE || p == CrashPoint.AFTER_FSYNC;
        assertEquals(temp ? 1 : 0, tmps, p + " leaves " + left);
        assertEquals(temp ? 1 : 2, ckpts, p + " leaves " + left);

        CheckpointLoad load = restarted.load();
        assertFalse(load.degraded(), p.toString());
        assertTrue(load.rejected().isEmpty(), p + ": " + load.rejected());
        assertEquals(switched ? 2 : 1, load.checkpoint().sequence(), p + ": the last fully committed checkpoint");
        assertEquals(Fixtures.checkpoint(1, switched ? 2 : 1), load.checkpoint());
        if (!switched) {
            assertEquals(first, load.entry());
            assertEquals(List.of(first), restarted.committed());
        }

        // A new owner claims: leftovers go, the committed checkpoints stay.
        long epoch = restarted.claimEpoch();
        assertEquals(2, epoch);
        Set<String> expected = new java.util.HashSet<>(Set.of("MANIFEST", "EPOCH", ".lock"));
        restarted.committed().forEach(e -> expected.add(e.file()));
        assertEquals(expected, names(dir), p.toString());
        assertEquals(switched ? 2 : 1, restarted.committed().size());
        CheckpointEntry next = restarted.write(Fixtures.checkpoint(epoch, 3));
        assertEquals(next, restarted.load().entry());
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void inProcessCrashAtEveryStepRecovers(CrashPoint p) throws Exception {
        CheckpointEntry first = committedFirst();
        List<CrashPoint> seen = new ArrayList<>();
        FileCheckpointStore crashing = new FileCheckpointStore(root, Fixtures.PIPELINE, 3, point -> {
            seen.add(point);
            if (point == p) {
                throw new SimulatedCrash(point);
            }
        });
        assertThrows(SimulatedCrash.class, () -> crashing.write(Fixtures.checkpoint(1, 2)));
        assertEquals(p, seen.get(seen.size() - 1));
        assertEquals(p.ordinal() + 1, seen.size(), "steps run in the documented order: " + seen);
        assertRecovers(p, first);
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void childJvmHaltedAtEveryStepRecovers(CrashPoint p) throws Exception {
        CheckpointEntry first = committedFirst();
        String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaExe, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-D" + FileCheckpointStore.CRASH_AT_PROPERTY + "=" + p.name(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), root.toString(), "2")
                .redirectErrorStream(true).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(137, child.exitValue(), "child output: " + output);
        assertRecovers(p, first);
    }

    @Test
    void staleWriterWhoseTempFileANewClaimRemovedGetsStaleOwner() throws Exception {
        committedFirst();
        FileCheckpointStore other = new FileCheckpointStore(root, Fixtures.PIPELINE, 3, (CrashPoint) null);
        FileCheckpointStore slow = new FileCheckpointStore(root, Fixtures.PIPELINE, 3, point -> {
            if (point == CrashPoint.AFTER_FSYNC) {
                try {
                    other.claimEpoch(); // removes the slow writer's temporary file
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        StaleOwnerException e = assertThrows(StaleOwnerException.class, () -> slow.write(Fixtures.checkpoint(1, 2)));
        assertTrue(e.getCause() instanceof java.nio.file.NoSuchFileException, String.valueOf(e.getCause()));
        assertEquals(1, other.loadLatest().orElseThrow().sequence());
    }

    @Test
    void unknownCrashPointPropertyIsRejected() {
        System.setProperty(FileCheckpointStore.CRASH_AT_PROPERTY, "sometimes");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new FileCheckpointStore(root, Fixtures.PIPELINE));
            assertTrue(e.getMessage().startsWith(FileCheckpointStore.CRASH_AT_PROPERTY + " must be one of"));
        } finally {
            System.clearProperty(FileCheckpointStore.CRASH_AT_PROPERTY);
        }
    }
}
