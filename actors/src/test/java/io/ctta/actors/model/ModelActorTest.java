package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ModelActorTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** A strategy that records where it runs and whether it was closed. */
    static final class Probe implements AdaptationStrategy {
        final AtomicInteger closed;
        volatile String thread;
        final boolean failFirst;
        int calls;

        Probe(AtomicInteger closed, boolean failFirst) {
            this.closed = closed;
            this.failFirst = failFirst;
        }

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public ModelOutput predict(InputBatch batch) {
            thread = Thread.currentThread().getName();
            if (failFirst && calls++ == 0) {
                throw new IllegalStateException("boom");
            }
            float[] p = new float[batch.size() * 2];
            Arrays.fill(p, 0.5f);
            return new ModelOutput(batch.size(), 2, p, 0, StepOutcome.none());
        }

        @Override
        public long modelVersion() {
            return 0;
        }

        @Override
        public StrategyState snapshot() {
            return new StrategyState("probe", 0, Map.of(), Map.of());
        }

        @Override
        public void restore(StrategyState state) {}

        @Override
        public void reset() {}

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    private static InputBatch batch() {
        return new InputBatch(2, new int[] {3}, new float[6]);
    }

    @Test
    void servesOnTheDedicatedDispatcherAndClosesTheStrategyOnStop() {
        AtomicInteger closed = new AtomicInteger();
        Probe[] made = new Probe[1];
        ActorRef<ModelActor.Command> actor = KIT.spawn(ModelActor.create(() -> made[0] = new Probe(closed, false)), "m1", ModelActor.dispatcher());
        TestProbe<ModelActor.Result> reply = KIT.createTestProbe();
        actor.tell(new ModelActor.Predict(batch(), Map.of(), reply.getRef()));
        ModelActor.Predicted p = reply.expectMessageClass(ModelActor.Predicted.class);
        assertEquals(2, p.output().size());
        assertTrue(made[0].thread.contains(ModelActor.DISPATCHER), "ran on " + made[0].thread);
        KIT.stop(actor);
        assertEquals(1, closed.get());
    }

    @Test
    void aFailingBatchIsAnsweredAndTheStrategyIsRebuiltWithoutLeaking() {
        AtomicInteger closed = new AtomicInteger();
        AtomicInteger built = new AtomicInteger();
        ActorRef<ModelActor.Command> actor = KIT.spawn(
                Behaviors.supervise(ModelActor.create(() -> {
                    built.incrementAndGet();
                    return new Probe(closed, built.get() == 1);
                })).onFailure(SupervisorStrategy.restart()),
                "m2", ModelActor.dispatcher());
        TestProbe<ModelActor.Result> reply = KIT.createTestProbe();
        actor.tell(new ModelActor.Predict(batch(), Map.of(), reply.getRef()));
        assertInstanceOf(ModelActor.Failed.class, reply.receiveMessage());
        actor.tell(new ModelActor.Predict(batch(), Map.of(), reply.getRef()));
        assertInstanceOf(ModelActor.Predicted.class, reply.receiveMessage());
        assertEquals(2, built.get());
        assertEquals(1, closed.get(), "the failed strategy must be closed before the restart");
    }

    @Test
    void everyCommandIsHandled() {
        // Java 17 has no exhaustive switch: this tripwire fails when a command is added, so that
        // whoever adds it also adds its handler to createReceive and its name here.
        java.util.Set<String> handled = java.util.Set.of("Predict", "Persist", "Rewind", "Flush", "Reset", "SwitchStrategy", "CheckpointNow", "Feedback", "Passed", "CaptureIfDue",
                "AttachStreamState", "Stored");
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (Class<?> c : ModelActor.Command.class.getPermittedSubclasses()) {
            declared.add(c.getSimpleName());
        }
        assertEquals(handled, declared);
    }
}
