package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The guards of the model actor: a non-finite output is never published (rollback, then the batch
 * is served again), K diverged steps in a row roll back, and a collapse (entropy EMA under the
 * threshold) resets to the source weights once per cooldown.
 */
class GuardsTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** A strategy whose n-th output is scripted; counts resets. */
    static final class Scripted implements AdaptationStrategy {
        final IntFunction<ModelOutput> script;
        final List<String> calls = new ArrayList<>();
        int n;

        Scripted(IntFunction<ModelOutput> script) {
            this.script = script;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public ModelOutput predict(InputBatch batch) {
            calls.add("predict");
            return script.apply(n++);
        }

        @Override
        public long modelVersion() {
            return n;
        }

        @Override
        public StrategyState snapshot() {
            return new StrategyState("scripted", n, Map.of(), Map.of());
        }

        @Override
        public void restore(StrategyState state) {
            calls.add("restore");
        }

        @Override
        public void reset() {
            calls.add("reset");
        }

        @Override
        public void close() {}
    }

    private static ModelOutput out(float p0, StepOutcome step) {
        float[] p = {p0, 1 - p0};
        return new ModelOutput(1, 2, p, 0, step);
    }

    private static List<ModelActor.Predicted> run(Scripted s, Guards.Settings g, int batches) {
        ActorRef<ModelActor.Command> actor = KIT.spawn(ModelActor.create(name -> s, "scripted", null, g, ModelActor.LabelPolicy.inlineOnly()),
                ModelActor.dispatcher());
        TestProbe<ModelActor.Result> reply = KIT.createTestProbe();
        List<ModelActor.Predicted> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            actor.tell(new ModelActor.Predict(new InputBatch(1, new int[] {1}, new float[1]), Map.of(), reply.getRef()));
            out.add(reply.expectMessageClass(ModelActor.Predicted.class));
        }
        KIT.stop(actor);
        return out;
    }

    @Test
    void aNonFiniteOutputIsNeverPublished() {
        Scripted s = new Scripted(n -> n == 2 ? out(Float.NaN, StepOutcome.applied(1)) : out(0.5f, StepOutcome.applied(1)));
        List<ModelActor.Predicted> out = run(s, Guards.Settings.defaults(), 4);
        for (ModelActor.Predicted p : out) {
            for (float v : p.output().probabilities()) {
                assertTrue(Float.isFinite(v), "published " + Arrays.toString(p.output().probabilities()));
            }
        }
        assertEquals(List.of("rollback-non-finite"), out.get(2).actions());
        assertTrue(s.calls.contains("reset"), "no checkpoint: the rollback goes to the source weights");
    }

    @Test
    void kDivergedStepsInARowRollBack() {
        Scripted s = new Scripted(n -> out(0.5f, n >= 1 && n <= 3 ? StepOutcome.diverged(Double.NaN, "x") : StepOutcome.applied(1)));
        List<ModelActor.Predicted> out = run(s, new Guards.Settings(3, false, 0.2, 0.9, 50), 5);
        assertEquals(List.of(), out.get(2).actions());
        assertEquals(List.of("rollback"), out.get(3).actions(), "the third diverged step in a row rolls back");
        assertEquals(1, s.calls.stream().filter("reset"::equals).count());
    }

    @Test
    void aCollapseResetsOncePerCooldown() {
        // Confident (near-zero entropy) outputs from the start: the EMA falls under 0.2 nats.
        Scripted s = new Scripted(n -> out(0.9999f, StepOutcome.applied(1)));
        List<ModelActor.Predicted> out = run(s, new Guards.Settings(3, true, 0.2, 0.9, 10), 25);
        long resets = out.stream().filter(p -> p.actions().contains("reset-collapse")).count();
        assertEquals(3, resets, "batches 1, 11 and 21: one reset per cooldown of 10 batches");
        assertTrue(out.get(0).actions().contains("reset-collapse"));
        assertTrue(out.get(10).actions().contains("reset-collapse"));
    }
}
