package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.metrics.KeyStateMetrics;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.KeyScopedState;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bookkeeping of key states: grouping and order, the LRU bound, files read back, checkpoint
 * sections restored, and the sweep, which deletes only files no retained checkpoint names. The
 * strategy is a counter per key (how many records its state has seen), so a wrong state shows.
 */
class KeyedStatesTest {

    @TempDir
    Path dir;

    /** A strategy whose state counts the records it saw; each prediction's first probability is that count. */
    static class Counting implements AdaptationStrategy {
        float seen;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public ModelOutput predict(InputBatch batch) {
            float[] p = new float[batch.size() * 2];
            for (int i = 0; i < batch.size(); i++) {
                p[2 * i] = seen;
                p[2 * i + 1] = batch.features()[i];
            }
            seen += batch.size();
            return new ModelOutput(batch.size(), 2, p, (long) seen, StepOutcome.applied(1));
        }

        @Override
        public long modelVersion() {
            return (long) seen;
        }

        @Override
        public StrategyState snapshot() {
            return new StrategyState("counting", (long) seen, Map.of("seen", new StrategyState.Tensor(new long[] {1}, new float[] {seen})), Map.of());
        }

        @Override
        public void restore(StrategyState state) {
            seen = state.tensors().get("seen").data()[0];
        }

        @Override
        public void reset() {
            seen = 0;
        }

        @Override
        public java.util.Optional<KeyScopedState> keyScopedState() {
            return Optional.of(KeyScopedState.bySnapshot(this));
        }

        @Override
        public void close() {}
    }

    private static InputBatch batch(int n, int offset) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = offset + i;
        }
        return new InputBatch(n, new int[] {1}, f);
    }

    private Set<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void eachKeyKeepsItsOwnStateThroughEvictionsAndTheOutputKeepsTheBatchOrder() throws IOException {
        eachKeyKeepsItsOwnState(2);
    }

    /** Without checkpoints a file is deleted once read back, and never before. */
    @Test
    void withoutCheckpointsEachKeyKeepsItsStateAndFilesGoOnceReadBack() throws IOException {
        eachKeyKeepsItsOwnState(0);
    }

    private void eachKeyKeepsItsOwnState(int keep) throws IOException {
        Counting strategy = new Counting();
        KeyStateMetrics metrics = KeyStateMetrics.unregistered();
        try (KeyedStates keyed = new KeyedStates(new KeyedStates.Settings("p", 2, dir, keep), metrics)) {
            keyed.bind(strategy);
            // a b a c d b a -> groups a(0,2,6) b(1,5) c(3) d(4)
            List<String> keys = List.of("a", "b", "a", "c", "d", "b", "a");
            for (int round = 0; round < 3; round++) {
                ModelOutput out = keyed.serve(batch(7, 100), keys, strategy::predict);
                for (int i = 0; i < 7; i++) {
                    assertEquals(100 + i, out.probabilities()[2 * i + 1], "row " + i + " in its place");
                }
                int a = 3 * round;
                int b = 2 * round;
                int cd = round;
                assertEquals(List.of((float) a, (float) b, (float) a, (float) cd, (float) cd, (float) b, (float) a),
                        List.of(out.probabilities()[0], out.probabilities()[2], out.probabilities()[4], out.probabilities()[6],
                                out.probabilities()[8], out.probabilities()[10], out.probabilities()[12]), "round " + round);
                assertEquals(3 * (round + 1), out.modelVersion(), "the largest key version");
                assertTrue(keyed.residentCount() <= 2);
            }
            assertEquals(2, keyed.spilledCount());
            assertTrue(metrics.evictions() >= 6 && metrics.loads() >= 4, metrics.evictions() + " " + metrics.loads());
            if (keep == 0) {
                assertEquals(2, files().size(), "only the two evicted states have files");
            }
            // Records without key share one state ("").
            ModelOutput none = keyed.serve(batch(2, 0), null, strategy::predict);
            assertEquals(0f, none.probabilities()[0]);
            assertEquals(0f, none.probabilities()[2]);
        }
    }

    @Test
    void aCheckpointSectionRestoresEveryKeyAsOfItsCaptureAndTheSweepKeepsWhatRetainedCheckpointsName() throws IOException {
        Counting strategy = new Counting();
        List<String> keys = List.of("a", "b", "c", "d", "e");
        try (KeyedStates keyed = new KeyedStates(new KeyedStates.Settings("p", 2, dir, 2), KeyStateMetrics.unregistered())) {
            keyed.bind(strategy);
            keyed.serve(batch(5, 0), keys, strategy::predict);
            Map<String, byte[]> first = keyed.section(1);
            List<String> sync = keyed.toSync(1);
            assertEquals(3, sync.size(), "the evicted states the capture names are to be fsynced");
            KeyStateSpill.fsync(dir, sync);
            keyed.stored(1);
            List<Map<String, byte[]>> later = new ArrayList<>();
            for (int t = 2; t <= 5; t++) {
                keyed.serve(batch(5, 0), keys, strategy::predict);
                later.add(keyed.section(t));
                keyed.stored(t);
            }
            // Checkpoints 4 and 5 are retained (keep = 2): exactly the files they and the live index name remain.
            Set<String> named = new HashSet<>();
            named.addAll(KeyedStates.filesNamedBy(later.get(2).get(KeyedStates.SECTION)).values());
            named.addAll(KeyedStates.filesNamedBy(later.get(3).get(KeyedStates.SECTION)).values());
            assertEquals(named, files());
            assertFalse(files().containsAll(KeyedStates.filesNamedBy(first.get(KeyedStates.SECTION)).values()), "checkpoint 1's files are gone");

            // Rewind to checkpoint 4: every key saw 4 batches of one record.
            keyed.restore(Optional.of(checkpoint(later.get(2))));
            ModelOutput out = keyed.serve(batch(5, 0), keys, strategy::predict);
            for (int i = 0; i < 5; i++) {
                assertEquals(4f, out.probabilities()[2 * i], "key " + keys.get(i) + " as of checkpoint 4");
            }
            keyed.resetAll();
            assertEquals(0f, keyed.serve(batch(1, 0), List.of("a"), strategy::predict).probabilities()[0], "reset: source state");
        }
    }

    @Test
    void aStrategyWithoutKeyStatesIsRefusedNamingTheScope() {
        AdaptationStrategy whole = new Counting() {
            @Override
            public java.util.Optional<KeyScopedState> keyScopedState() {
                return Optional.empty();
            }
        };
        try (KeyedStates keyed = new KeyedStates(new KeyedStates.Settings("p", 2, dir, 2), KeyStateMetrics.unregistered())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keyed.bind(whole));
            assertTrue(e.getMessage().contains("scope = key"), e.getMessage());
        }
    }

    private static Checkpoint checkpoint(Map<String, byte[]> sections) {
        return Checkpoint.of("p", 1, 4, Map.of(), new StrategyState("counting", 0, Map.of(), Map.of()), sections, 0, "", 0);
    }
}
