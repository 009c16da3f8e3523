package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.actors.drift.DriftEvent;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.model.ModelActor;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.drift.DriftSignal;
import io.ctta.runtime.eval.PrequentialEvaluator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream's part of the pipeline state (drift monitor, evaluator window) goes through a real
 * checkpoint file and comes back so that the run goes on exactly as an uninterrupted one: a
 * detector half-way to its alarm raises it at the same record, and the accuracy window holds the
 * same records.
 */
class StreamStateCheckpointTest {

    private static final int RECORDS = 3000;
    /** Where the error rate rises from 10 % to 25 %. */
    private static final int CHANGE = 1500;

    @TempDir
    Path dir;

    /** Record i's label: the model always predicts class 0, so label 1 is an error. */
    private static int[] labels() {
        Random r = new Random(42);
        int[] y = new int[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            y[i] = r.nextDouble() < (i < CHANGE ? 0.1 : 0.25) ? 1 : 0;
        }
        return y;
    }

    private static StreamState fresh() {
        List<DriftMonitor.Spec> specs = List.of(
                new DriftMonitor.Spec("adwin", DriftSignal.ERROR, ConfigFactory.empty()),
                new DriftMonitor.Spec("ddm", DriftSignal.ERROR, ConfigFactory.empty()),
                new DriftMonitor.Spec("page-hinkley", DriftSignal.ERROR, ConfigFactory.empty()));
        return new StreamState("p", new DriftMonitor("p", "tent", specs, 7, new SimpleMeterRegistry()));
    }

    /** Feeds records [from, to) the way the stream does, in batches of 32; returns the drift events. */
    private static List<String> feed(StreamState s, int[] y, int from, int to) {
        List<String> events = new ArrayList<>();
        for (int start = from; start < to; start += 32) {
            int n = Math.min(32, to - start);
            float[] p = new float[n * 2];
            List<DriftMonitor.Observation> obs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                p[2 * i] = 0.8f;
                p[2 * i + 1] = 0.2f;
                obs.add(new DriftMonitor.Observation(0, start + i, new float[] {1, 2}, y[start + i]));
                s.evaluator().record(0, y[start + i], "d");
            }
            for (DriftEvent e : s.drift().observe(obs, new ModelOutput(n, 2, p, 0, StepOutcome.none()))) {
                events.add(e.detector() + "/" + e.level() + "@" + e.lastOffset() + " samples " + e.samples() + " from " + e.firstOffset());
            }
        }
        return events;
    }

    private static int firstDrift(List<String> events, String detector) {
        for (String e : events) {
            if (e.startsWith(detector + "/drift@")) {
                return Integer.parseInt(e.substring(e.indexOf('@') + 1, e.indexOf(' ')));
            }
        }
        return -1;
    }

    private Checkpoint throughTheStore(Map<String, byte[]> sections) throws Exception {
        FileCheckpointStore store = new FileCheckpointStore(dir, "p", 3);
        long epoch = store.claimEpoch();
        store.write(Checkpoint.of("p", epoch, 1, Map.of("in", Map.of(0, 1L)), new StrategyState("tent", 0, Map.of(), Map.of()), sections, 1, "", 0));
        return store.loadLatest().orElseThrow();
    }

    @Test
    void aDetectorHalfWayToItsAlarmRaisesItAtTheSameRecordAfterARestore() throws Exception {
        int[] y = labels();
        List<String> uninterrupted = feed(fresh(), y, 0, RECORDS);
        int alarm = firstDrift(uninterrupted, "adwin");
        assertTrue(alarm > CHANGE, "adwin must detect the change in the uninterrupted run: " + uninterrupted);
        // Cut mid-way between the change and the alarm: evidence is piling up.
        int cut = CHANGE + (alarm - CHANGE) / 2;
        assertTrue(cut > CHANGE && cut < alarm, "cut " + cut + " alarm " + alarm);

        StreamState before = fresh();
        List<String> events = feed(before, y, 0, cut);
        Checkpoint c = throughTheStore(before.sections());

        StreamState after = fresh();
        after.restore(new ModelActor.Restored(c.sequence(), c.carriesPipelineState(), c.extra()));
        events.addAll(feed(after, y, cut, RECORDS));
        assertEquals(uninterrupted, events, "every detector's events, at the same records");
        assertEquals(before.evaluator().count() + (RECORDS - cut), after.evaluator().count());

        // Without the restore the evidence gathered before the cut is lost: the alarm moves.
        StreamState forgetful = fresh();
        feed(forgetful, y, 0, cut);
        forgetful.restore(new ModelActor.Restored(-1, true, Map.of()));
        List<String> withoutState = feed(forgetful, y, cut, RECORDS);
        assertNotEquals(alarm, firstDrift(withoutState, "adwin"), "a fresh detector cannot alarm at the same record");
    }

    @Test
    void theAccuracyWindowGoesOnAsIfUninterrupted() throws Exception {
        int[] y = labels();
        StreamState whole = fresh();
        feed(whole, y, 0, RECORDS);

        StreamState before = fresh();
        feed(before, y, 0, 2200);
        Checkpoint c = throughTheStore(before.sections());
        StreamState after = fresh();
        after.restore(new ModelActor.Restored(c.sequence(), c.carriesPipelineState(), c.extra()));
        feed(after, y, 2200, RECORDS);

        PrequentialEvaluator a = whole.evaluator();
        PrequentialEvaluator b = after.evaluator();
        assertEquals(a.windowCount(), b.windowCount());
        assertEquals(a.windowError(), b.windowError(), 0.0, "accuracy over the window");
        assertEquals(a.fadingError(), b.fadingError(), 0.0);
        assertEquals(a.count(), b.count());
        assertEquals(a.errorByDomain(), b.errorByDomain());
        // The window straddles the cut (1000 records, 800 of them after it), so it really came back.
        StreamState forgetful = fresh();
        feed(forgetful, y, 2200, RECORDS);
        assertNotEquals(a.windowCount(), forgetful.evaluator().windowCount());
    }

    @Test
    void aCheckpointFromBeforePipelineStateRestoresFreshDetectors() throws Exception {
        int[] y = labels();
        StreamState before = fresh();
        feed(before, y, 0, 2000);
        Checkpoint c = throughTheStore(before.sections());
        StreamState after = fresh();
        feed(after, y, 0, 100);
        // A version 1 checkpoint: whatever its extras, the parts start fresh.
        after.restore(new ModelActor.Restored(c.sequence(), false, c.extra()));
        assertEquals(0, after.evaluator().count());
        assertFalse(after.sections().get(ModelActor.Sections.DRIFT).length == 0);
        assertEquals(feed(fresh(), y, 2000, RECORDS), feed(after, y, 2000, RECORDS), "fresh detectors behave like new ones");
    }
}
