package io.ctta.runtime.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.feedback.FeedbackJoiner.Joined;
import io.ctta.runtime.feedback.FeedbackJoiner.LabelOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FeedbackJoinerTest {
    private final AtomicLong now = new AtomicLong(1_000);

    private FeedbackJoiner<String> joiner(long ttlMs, int max, long maxWaitMs) {
        return new FeedbackJoiner<>(new JoinerSettings(Duration.ofMillis(ttlMs), max, Duration.ofMillis(maxWaitMs)),
                now::get);
    }

    private static List<String> ids(List<Joined<String>> js) {
        List<String> out = new ArrayList<>();
        for (Joined<String> j : js) {
            out.add(j.id());
        }
        return out;
    }

    @Test
    void outOfOrderLabelsAreReleasedInPredictionOrder() {
        FeedbackJoiner<String> j = joiner(60_000, 100, 60_000);
        for (String id : List.of("a", "b", "c", "d")) {
            assertTrue(j.predicted(id, "x-" + id, 1));
        }
        assertEquals(LabelOutcome.MATCHED, j.labelled("c", 0, 5));
        assertEquals(LabelOutcome.MATCHED, j.labelled("a", 1, 6));
        assertEquals(List.of("a"), ids(j.drain()), "b blocks c");
        assertEquals(LabelOutcome.MATCHED, j.labelled("d", 1, 7));
        assertEquals(List.of(), ids(j.drain()));
        now.addAndGet(10);
        assertEquals(LabelOutcome.MATCHED, j.labelled("b", 0, 8));
        List<Joined<String>> out = j.drain();
        assertEquals(List.of("b", "c", "d"), ids(out));
        Joined<String> b = out.get(0);
        assertEquals("x-b", b.payload());
        assertEquals(1, b.predictedClass());
        assertEquals(0, b.label());
        assertEquals(1_000, b.predictedAtMs());
        assertEquals(1_010, b.labelledAtMs());
        assertEquals(8, b.labelEventTimeMs());
        assertEquals(1, b.sequence());
        FeedbackJoiner.Stats s = j.stats();
        assertEquals(4, s.matched());
        assertEquals(4, s.released());
        assertEquals(0, s.releasedOutOfOrder());
        assertEquals(0, s.pending());
    }

    @Test
    void aMatchWaitsAtMostMaxWaitForEarlierLabels() {
        FeedbackJoiner<String> j = joiner(60_000, 100, 500);
        j.predicted("a", "a", 0);
        j.predicted("b", "b", 0);
        j.predicted("c", "c", 0);
        j.labelled("c", 1, 0);
        now.addAndGet(200);
        j.labelled("b", 1, 0);
        now.addAndGet(299);
        assertEquals(List.of(), ids(j.drain()));
        now.addAndGet(1);
        assertEquals(List.of("c"), ids(j.drain()), "c waited 500 ms, b only 300");
        now.addAndGet(200);
        assertEquals(List.of("b"), ids(j.drain()));
        assertEquals(2, j.stats().releasedOutOfOrder());
        j.labelled("a", 0, 0);
        assertEquals(List.of("a"), ids(j.drain()), "the late-labelled head goes out at the next drain");
        assertEquals(0, j.pending());
    }

    @Test
    void zeroMaxWaitReleasesEveryMatchAtTheNextDrain() {
        FeedbackJoiner<String> j = joiner(60_000, 100, 0);
        for (int i = 0; i < 5; i++) {
            j.predicted("r" + i, "p", 0);
        }
        j.labelled("r4", 1, 0);
        j.labelled("r2", 1, 0);
        assertEquals(List.of("r2", "r4"), ids(j.drain()), "sorted by prediction order within a drain");
        assertEquals(2, j.stats().releasedOutOfOrder());
        assertEquals(3, j.pending());
    }

    @Test
    void duplicateUnknownAndLateLabelsAreCounted() {
        FeedbackJoiner<String> j = joiner(1_000, 100, 0);
        j.predicted("a", "a", 0);
        assertFalse(j.predicted("a", "again", 1), "a second prediction for a waiting id is ignored");
        j.predicted("b", "b", 0);
        assertEquals(LabelOutcome.MATCHED, j.labelled("a", 1, 0));
        assertEquals(LabelOutcome.DUPLICATE, j.labelled("a", 0, 0), "still pending: first label wins");
        List<Joined<String>> out = j.drain();
        assertEquals(1, out.get(0).label());
        assertEquals("a", out.get(0).payload());
        assertEquals(LabelOutcome.DUPLICATE, j.labelled("a", 1, 0), "already released");
        assertEquals(LabelOutcome.UNKNOWN, j.labelled("zz", 1, 0));
        now.addAndGet(1_001);
        assertEquals(List.of(), ids(j.drain()));
        assertEquals(LabelOutcome.LATE, j.labelled("b", 1, 0), "b expired (never-arriving label)");
        FeedbackJoiner.Stats s = j.stats();
        assertEquals(2, s.predictions());
        assertEquals(1, s.duplicatePredictions());
        assertEquals(1, s.matched());
        assertEquals(2, s.duplicateLabels());
        assertEquals(1, s.unknownLabels());
        assertEquals(1, s.lateLabels());
        assertEquals(1, s.expired());
        assertEquals(0, s.pending());
    }

    @Test
    void ttlIsCheckedWhenTheLabelArrivesEvenWithoutADrain() {
        FeedbackJoiner<String> j = joiner(1_000, 100, 0);
        j.predicted("a", "a", 0);
        now.addAndGet(1_000);
        assertEquals(LabelOutcome.MATCHED, j.labelled("a", 1, 0), "exactly the TTL is still in time");
        j.predicted("b", "b", 0);
        now.addAndGet(1_001);
        assertEquals(LabelOutcome.LATE, j.labelled("b", 1, 0));
        assertEquals(List.of("a"), ids(j.drain()));
        assertEquals(1, j.stats().expired());
    }

    @Test
    void expiredHeadsUnblockLaterMatches() {
        FeedbackJoiner<String> j = joiner(1_000, 100, 1_000_000);
        j.predicted("lost", "x", 0);
        now.addAndGet(500);
        j.predicted("kept", "y", 0);
        j.labelled("kept", 1, 0);
        assertEquals(List.of(), ids(j.drain()));
        now.addAndGet(501);
        assertEquals(List.of("kept"), ids(j.drain()), "the label-less head expired");
        assertEquals(0, j.stats().releasedOutOfOrder());
    }

    @Test
    void memoryIsBoundedAndTheOldestIsEvicted() {
        FeedbackJoiner<String> j = joiner(3_600_000, 100, 1_000);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            j.predicted("id" + i, "p" + i, 0);
            assertTrue(j.pending() <= 100);
            if (r.nextInt(4) == 0) {
                j.labelled("id" + i, 1, 0); // a quarter get labels, never drained yet
            }
        }
        FeedbackJoiner.Stats s = j.stats();
        assertEquals(100, s.pending());
        List<Joined<String>> out = j.drain();
        long releasedFromPending = 100 - j.pending();
        long labelledEvicted = out.size() - releasedFromPending;
        assertEquals(10_000, s.evicted() + labelledEvicted + 100, "every prediction is evicted, released or held");
        assertEquals(LabelOutcome.LATE, j.labelled("id9850", 1, 0), "evicted recently: late, not unknown");
        assertEquals(LabelOutcome.UNKNOWN, j.labelled("id5", 1, 0), "forgotten beyond the tombstone bound");
        // Releases never go backwards within a drain.
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i).sequence() > out.get(i - 1).sequence());
        }
    }

    @Test
    void aLongRunWithLabelsKeepsEveryStructureBounded() {
        FeedbackJoiner<String> j = joiner(10_000, 50, 5_000);
        SplittableRandom r = new SplittableRandom(2);
        List<String> unlabelled = new ArrayList<>();
        long released = 0;
        for (int i = 0; i < 20_000; i++) {
            now.addAndGet(1);
            j.predicted("id" + i, "p", 0);
            unlabelled.add("id" + i);
            while (unlabelled.size() > 20) {
                String id = unlabelled.remove(r.nextInt(unlabelled.size()));
                if (r.nextInt(10) > 0) {
                    j.labelled(id, 1, 0);
                }
            }
            released += j.drain().size();
            assertTrue(j.pending() <= 50);
        }
        FeedbackJoiner.Stats s = j.stats();
        assertEquals(released, s.released());
        assertTrue(s.matched() - s.released() <= s.pending(), "matched but unreleased examples are still pending");
        assertTrue(s.released() > 15_000, "released " + s.released());
    }

    @Test
    void labelledBatchesKeepOrderAndCheckLengths() {
        FeedbackJoiner<float[]> j = new FeedbackJoiner<>(JoinerSettings.defaults(), now::get);
        for (int i = 0; i < 5; i++) {
            j.predicted("r" + i, new float[] {i, i + 0.5f}, 0);
            j.labelled("r" + i, i % 2, 0);
        }
        List<LabelledBatch> batches = LabelledBatch.of(j.drain(), new int[] {2}, 2);
        assertEquals(3, batches.size());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f}, batches.get(0).batch().features());
        assertArrayEquals(new int[] {0, 1}, batches.get(0).labels());
        assertEquals(1, batches.get(2).batch().size());
        j.predicted("bad", new float[] {1}, 0);
        j.labelled("bad", 0, 0);
        assertThrows(IllegalArgumentException.class, () -> LabelledBatch.of(j.drain(), new int[] {2}, 2));
    }

    @Test
    void settingsAreValidatedNamingTheKey() {
        JoinerSettings d = JoinerSettings.fromConfig(ConfigFactory.empty(), "ctta.feedback");
        assertEquals(JoinerSettings.defaults(), d);
        JoinerSettings s = JoinerSettings.fromConfig(
                ConfigFactory.parseString("ttl = 2m, max-pending = 10, max-wait = 0s"), "ctta.feedback");
        assertEquals(new JoinerSettings(Duration.ofMinutes(2), 10, Duration.ZERO), s);
        for (String[] c : new String[][] {
                {"ttl = 0s", "invalid setting 'ctta.feedback.ttl' = \"0s\": expected a positive duration such as 50ms"},
                {"max-pending = 0", "invalid setting 'ctta.feedback.max-pending' = 0: expected an integer >= 1"},
                {"max-pending = lots", "invalid setting 'ctta.feedback.max-pending' = \"lots\": expected an integer >= 1"},
                {"max-wait = soon", "invalid setting 'ctta.feedback.max-wait' = \"soon\": expected a duration >= 0"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JoinerSettings.fromConfig(ConfigFactory.parseString(c[0]), "ctta.feedback"));
            assertEquals(c[1], e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> joiner(1, 1, 0).labelled("x", -1, 0));
    }

    private static final FeedbackJoiner.PayloadCodec<String> STRINGS = new FeedbackJoiner.PayloadCodec<>() {
        @Override
        public void write(io.ctta.runtime.checkpoint.SectionWriter out, String payload) {
            out.str(payload);
        }

        @Override
        public String read(io.ctta.runtime.checkpoint.SectionReader in) {
            return in.str();
        }
    };

    /**
     * A snapshot restored into another joiner behaves as the original would: same releases, same
     * outcomes, same counters; and its times are ages, rebased on the new clock, so the TTL counts
     * the time the pipeline ran, not the downtime between snapshot and restore.
     */
    @Test
    void aRestoredJoinerGoesOnAsTheOriginalWithItsAgesRebasedOnTheNewClock() {
        FeedbackJoiner<String> a = joiner(1_000, 10, 100);
        a.predicted("p0", "x0", 0);
        now.addAndGet(400);
        a.predicted("p1", "x1", 1);
        a.predicted("p2", "x2", 2);
        assertEquals(LabelOutcome.MATCHED, a.labelled("p2", 2, 7));
        a.drain();
        byte[] snap = a.snapshot(STRINGS);
        long snapshotAt = now.get();

        // The restore happens a day later (a long outage); the joiner's clock has moved on.
        now.set(snapshotAt + 86_400_000L);
        FeedbackJoiner<String> b = joiner(1_000, 10, 100);
        b.restore(snap, STRINGS);
        assertEquals(a.stats(), b.stats());
        assertEquals(3, b.pending());

        // 650 ms of running later: p0 (400 ms old at the snapshot) is past its 1 s TTL, p1 (0 ms) is not.
        now.addAndGet(650);
        assertEquals(LabelOutcome.LATE, b.labelled("p0", 0, 0));
        assertEquals(LabelOutcome.MATCHED, b.labelled("p1", 1, 0));
        List<Joined<String>> out = b.drain();
        assertEquals(List.of("p1", "p2"), ids(out), "released in prediction order");
        assertEquals("x2", out.get(1).payload());
        assertEquals(7, out.get(1).labelEventTimeMs());
        assertEquals(LabelOutcome.DUPLICATE, b.labelled("p2", 2, 0), "released before: a duplicate");
        assertEquals(LabelOutcome.UNKNOWN, b.labelled("never", 1, 0));

        byte[] truncated = java.util.Arrays.copyOf(snap, snap.length - 3);
        assertThrows(IllegalArgumentException.class, () -> joiner(1_000, 10, 100).restore(truncated, STRINGS));
    }
}
