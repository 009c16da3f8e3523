package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.CheckpointId;
import io.ctta.runtime.checkpoint.CheckpointLoad;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.runtime.checkpoint.CheckpointStore;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.runtime.checkpoint.StaleOwnerException;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.feedback.JoinerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model actor's side of pipeline state in checkpoints: the feedback joiner survives a restart,
 * the stream's sections join the capture they belong to, and the file IO runs off the model
 * dispatcher.
 */
class ModelActorCheckpointStateTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @TempDir
    Path dir;

    /** Predicts class 0 for everything and records what it learned. */
    static final class Learner implements AdaptationStrategy {
        final List<int[]> learned = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return "learner";
        }

        @Override
        public ModelOutput predict(InputBatch batch) {
            float[] p = new float[batch.size() * 2];
            for (int i = 0; i < batch.size(); i++) {
                p[2 * i] = 0.7f;
                p[2 * i + 1] = 0.3f;
            }
            return new ModelOutput(batch.size(), 2, p, 0, StepOutcome.none());
        }

        @Override
        public StepOutcome learn(InputBatch batch, int[] labels) {
            learned.add(labels.clone());
            return StepOutcome.applied(0.5);
        }

        @Override
        public long modelVersion() {
            return 0;
        }

        @Override
        public StrategyState snapshot() {
            return new StrategyState("learner", 0, Map.of(), Map.of());
        }

        @Override
        public void restore(StrategyState state) {}

        @Override
        public void reset() {}

        @Override
        public void close() {}
    }

    /** A file store that records the thread each write runs on. */
    static final class RecordingStore implements CheckpointStore {
        final FileCheckpointStore inner;
        final List<String> writeThreads = Collections.synchronizedList(new ArrayList<>());

        RecordingStore(FileCheckpointStore inner) {
            this.inner = inner;
        }

        @Override
        public String pipeline() {
            return inner.pipeline();
        }

        @Override
        public long currentEpoch() throws IOException {
            return inner.currentEpoch();
        }

        @Override
        public long claimEpoch() throws IOException {
            return inner.claimEpoch();
        }

        @Override
        public CheckpointEntry write(Checkpoint checkpoint) throws IOException, StaleOwnerException {
            writeThreads.add(Thread.currentThread().getName());
            return inner.write(checkpoint);
        }

        @Override
        public CheckpointLoad load() throws IOException {
            return inner.load();
        }

        @Override
        public List<CheckpointEntry> committed() throws IOException {
            return inner.committed();
        }

        @Override
        public Optional<Checkpoint> rollbackTo(long ownerEpoch, Optional<CheckpointId> target) throws IOException, StaleOwnerException {
            return inner.rollbackTo(ownerEpoch, target);
        }
    }

    private static final CheckpointSettings SETTINGS = new CheckpointSettings(Path.of("unused"), 3, 0, Duration.ZERO);
    private static final ModelActor.LabelPolicy DELAYED = new ModelActor.LabelPolicy(false,
            new JoinerSettings(Duration.ofMinutes(15), 1000, Duration.ZERO));

    private RecordingStore store() throws IOException {
        return new RecordingStore(new FileCheckpointStore(dir, "p", 3));
    }

    private ActorRef<ModelActor.Command> spawn(Learner learner, RecordingStore store) {
        return KIT.spawn(ModelActor.create(name -> learner, "learner", () -> CheckpointAgent.open(SETTINGS, store, "cfg"),
                Guards.Settings.defaults(), DELAYED), ModelActor.dispatcher());
    }

    private static ModelActor.Predicted predict(ActorRef<ModelActor.Command> actor, List<String> ids, long nextOffset) {
        TestProbe<ModelActor.Result> reply = KIT.createTestProbe();
        int[] labels = new int[ids.size()];
        java.util.Arrays.fill(labels, -1);
        float[] x = new float[ids.size() * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        actor.tell(new ModelActor.Predict(new InputBatch(ids.size(), new int[] {3}, x), ids, labels, Map.of("in", Map.of(0, nextOffset)),
                reply.getRef()));
        return reply.expectMessageClass(ModelActor.Predicted.class);
    }

    private static ModelActor.Persisted flush(ActorRef<ModelActor.Command> actor) {
        TestProbe<ModelActor.Persisted> reply = KIT.createTestProbe();
        actor.tell(new ModelActor.Flush(reply.getRef()));
        return reply.expectMessageClass(ModelActor.Persisted.class);
    }

    private static ModelActor.FeedbackResult label(ActorRef<ModelActor.Command> actor, String id, int label) {
        TestProbe<ModelActor.FeedbackResult> reply = KIT.createTestProbe();
        actor.tell(new ModelActor.Feedback(List.of(new ModelActor.Label(id, label, 0)), reply.getRef()));
        return reply.expectMessageClass(ModelActor.FeedbackResult.class);
    }

    @Test
    void predictionsAwaitingLabelsSurviveARestartAndTheirLabelsAreLearned() throws Exception {
        Learner first = new Learner();
        ActorRef<ModelActor.Command> before = spawn(first, store());
        predict(before, List.of("a", "b", "c"), 3);
        assertEquals(1, label(before, "a", 1).matched());
        assertNotNull(flush(before).id(), "the checkpoint is written");
        KIT.stop(before);

        Learner second = new Learner();
        ActorRef<ModelActor.Command> after = spawn(second, store());
        ModelActor.FeedbackResult late = label(after, "b", 1);
        assertEquals(1, late.matched(), "the prediction made before the restart is still waiting");
        assertEquals(0, late.unknown());
        assertEquals(1, second.learned.size(), "its example is learned");
        assertArrayEquals(new int[] {1}, second.learned.get(0));
        assertEquals(1, late.scored().size());
        assertEquals(1, label(after, "a", 1).duplicate(), "a label already learned before the restart stays learned once");
        assertEquals(1, late.pending(), "c still waits");
        KIT.stop(after);
    }

    @Test
    void withoutTheJoinerInTheCheckpointTheLabelWouldBeUnknown() throws Exception {
        // The control for the test above: a fresh joiner does not know the id.
        Learner fresh = new Learner();
        ActorRef<ModelActor.Command> actor = spawn(fresh, store());
        ModelActor.FeedbackResult r = label(actor, "b", 1);
        assertEquals(1, r.unknown());
        assertTrue(fresh.learned.isEmpty());
        KIT.stop(actor);
    }

    @Test
    void theStreamsSectionsJoinTheirCaptureAndTheFileIsWrittenOffTheModelDispatcher() throws Exception {
        RecordingStore store = store();
        ActorRef<ModelActor.Command> actor = spawn(new Learner(), store);
        actor.tell(ModelActor.CheckpointNow.INSTANCE);
        ModelActor.Predicted p = predict(actor, List.of("a", "b"), 2);
        assertTrue(p.checkpointToken() != 0);
        actor.tell(new ModelActor.AttachStreamState(p.checkpointToken(), Map.of(ModelActor.Sections.DRIFT, new byte[] {4, 2})));
        TestProbe<ModelActor.Persisted> persisted = KIT.createTestProbe();
        actor.tell(new ModelActor.Persist(p.checkpointToken(), persisted.getRef()));
        ModelActor.Persisted w = persisted.expectMessageClass(ModelActor.Persisted.class);
        assertEquals(Map.of("in", Map.of(0, 2L)), w.offsets());

        Checkpoint c = new FileCheckpointStore(dir, "p", 3).loadLatest().orElseThrow();
        assertTrue(c.carriesPipelineState());
        assertArrayEquals(new byte[] {4, 2}, c.extra(ModelActor.Sections.DRIFT));
        assertNotNull(c.extra(ModelActor.Sections.JOINER), "the joiner was captured with the model");
        assertNotNull(c.extra(ModelActor.Sections.FEEDBACK_EVALUATOR));

        assertEquals(1, store.writeThreads.size());
        String thread = store.writeThreads.get(0);
        assertFalse(thread.contains(ModelActor.DISPATCHER), "the write ran on " + thread);
        assertTrue(thread.contains("default-blocking-io-dispatcher"), "the write ran on " + thread);
        KIT.stop(actor);
    }
}
