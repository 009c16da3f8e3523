package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.PrequentialStep;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.diagnostics.Plasticity;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.TabularMlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Batches whose records all carry inline labels are predicted and learned in one call
 * ({@code prequentialStep}): the continual learners answer both from one forward pass. The
 * model actor must publish exactly what {@code predict} then {@code learn} publish, keep the
 * guards judging the prediction's own outcome, and measure plasticity probes off its thread with
 * the values the probe has on the sampled batch.
 */
class ModelActorInlineLearningTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    private static final ModelSpec MLP = ModelSpec.tabularMlp(
            new TabularMlp.Architecture(0, 1, 1, 20, new int[] {16, 12}), 5, "inline-learning-test");
    private static final int BATCH = 4;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Counts the calls a strategy gets; forwards everything. */
    static final class Counting implements AdaptationStrategy {
        final AdaptationStrategy inner;
        final AtomicInteger predicts = new AtomicInteger();
        final AtomicInteger learns = new AtomicInteger();
        final AtomicInteger prequential = new AtomicInteger();
        final AtomicInteger probes = new AtomicInteger();

        Counting(AdaptationStrategy inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public ModelOutput predict(InputBatch batch) {
            predicts.incrementAndGet();
            return inner.predict(batch);
        }

        @Override
        public StepOutcome learn(InputBatch batch, int[] labels) {
            learns.incrementAndGet();
            return inner.learn(batch, labels);
        }

        @Override
        public PrequentialStep prequentialStep(InputBatch batch, int[] labels) {
            prequential.incrementAndGet();
            return inner.prequentialStep(batch, labels);
        }

        @Override
        public java.util.Optional<Plasticity.Features> plasticity(InputBatch probe) {
            probes.incrementAndGet();
            return inner.plasticity(probe);
        }

        @Override
        public long modelVersion() {
            return inner.modelVersion();
        }

        @Override
        public StrategyState snapshot() {
            return inner.snapshot();
        }

        @Override
        public void restore(StrategyState state) {
            inner.restore(state);
        }

        @Override
        public void reset() {
            inner.reset();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** A model actor serving {@code served}, learning from inline labels, on the model dispatcher. */
    private static ActorRef<ModelActor.Command> spawn(AdaptationStrategy served) {
        return KIT.spawn(ModelActor.create(name -> served, "adam", null, Guards.Settings.defaults(),
                ModelActor.LabelPolicy.inlineOnly()), ModelActor.dispatcher());
    }

    private static AdaptationStrategy adam(AdaptiveModel[] model) {
        model[0] = AdaptiveModel.create(MLP, Device.CPU, 3);
        return REGISTRY.create("adam", new StrategyContext(model[0], ConfigFactory.empty(), 5));
    }

    private static InputBatch batch(SplittableRandom r) {
        float[] f = new float[BATCH * 20];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextDouble(-1, 1);
        }
        return new InputBatch(BATCH, new int[] {20}, f);
    }

    private static int[] labels(SplittableRandom r) {
        int[] y = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            y[i] = r.nextInt(5);
        }
        return y;
    }

    @Test
    void inlineLabelledBatchesPublishWhatPredictThenLearnPublishesFromOneCall() {
        AdaptiveModel[] loopModel = new AdaptiveModel[1];
        AdaptiveModel[] actorModel = new AdaptiveModel[1];
        Counting served = new Counting(adam(actorModel));
        ActorRef<ModelActor.Command> actor = spawn(served);
        TestProbe<ModelActor.Result> reply = KIT.createTestProbe();
        SplittableRandom r = new SplittableRandom(17);
        Plasticity.Probe sampled = null;
        Plasticity.Probe carried = null;
        int batches = 0;
        try (AdaptationStrategy loop = adam(loopModel)) {
            // 30 batches, then on until the probe of the first (sampled) batch has come back.
            while (batches < 30 || carried == null) {
                assertTrue(batches < 2_000, "no plasticity probe came back");
                InputBatch x = batch(r);
                int[] y = labels(r);
                ModelOutput expected = loop.predict(x);
                StepOutcome learned = loop.learn(x, y);
                if (batches == 0) {
                    // The actor samples after learning the batch, on the model as it is then.
                    sampled = Plasticity.probe(loopModel[0], x);
                }
                actor.tell(new ModelActor.Predict(x, null, y, Map.of(), reply.getRef()));
                ModelActor.Predicted p = reply.expectMessageClass(ModelActor.Predicted.class);
                assertArrayEquals(expected.probabilities(), p.output().probabilities(), 0f, "batch " + batches);
                assertEquals(expected.modelVersion(), p.output().modelVersion());
                assertEquals(StepOutcome.Kind.NONE, p.output().step().kind(), "predict's own outcome, for the guards");
                assertEquals(learned.kind(), p.learned().kind());
                assertEquals(learned.loss(), p.learned().loss(), 0.0);
                assertEquals(List.of(), p.actions());
                if (carried == null && p.plasticity() != null) {
                    carried = p.plasticity();
                }
                batches++;
            }
        } finally {
            KIT.stop(actor);
        }
        assertEquals(batches, served.prequential.get(), "one call per labelled batch");
        assertEquals(0, served.predicts.get(), "no separate predict");
        assertEquals(0, served.learns.get(), "no separate learn");
        assertNotNull(sampled);
        assertEquals(sampled, carried, "the probe measured off the model's thread is the sampled batch's");
    }

    /**
     * A plasticity probe costs a forward pass on the model's thread: taken every 20th batch, but
     * at most once per {@link ModelActor#PLASTICITY_MIN_INTERVAL_NANOS}. 200 quick batches would
     * take 10 probes by batch count alone; the bound by time allows one more per interval elapsed.
     */
    @Test
    void plasticityProbesAreTakenAtMostOncePerInterval() {
        AdaptiveModel[] model = new AdaptiveModel[1];
        Counting served = new Counting(adam(model));
        ActorRef<ModelActor.Command> actor = spawn(served);
        TestProbe<ModelActor.Result> reply = KIT.createTestProbe();
        SplittableRandom r = new SplittableRandom(3);
        long start = System.nanoTime();
        try {
            for (int b = 0; b < 200; b++) {
                actor.tell(new ModelActor.Predict(batch(r), null, labels(r), Map.of(), reply.getRef()));
                reply.expectMessageClass(ModelActor.Predicted.class);
            }
        } finally {
            KIT.stop(actor);
        }
        long elapsed = System.nanoTime() - start;
        long allowed = 1 + elapsed / ModelActor.PLASTICITY_MIN_INTERVAL_NANOS;
        assertTrue(served.probes.get() >= 1, "the first batch is probed");
        assertTrue(served.probes.get() <= Math.min(10, allowed),
                served.probes.get() + " probes in " + elapsed / 1_000_000 + " ms (at most " + allowed + ")");
    }

    /** Predicts applied steps; every learn diverges. */
    static final class DivergingLearner implements AdaptationStrategy {
        final List<String> calls = new ArrayList<>();

        @Override
        public String name() {
            return "diverging";
        }

        @Override
        public ModelOutput predict(InputBatch batch) {
            calls.add("predict");
            return new ModelOutput(batch.size(), 2, new float[] {0.5f, 0.5f}, 0, StepOutcome.applied(1));
        }

        @Override
        public StepOutcome learn(InputBatch batch, int[] labels) {
            calls.add("learn");
            return StepOutcome.diverged(Double.NaN, "scripted");
        }

        @Override
        public long modelVersion() {
            return 0;
        }

        @Override
        public StrategyState snapshot() {
            return new StrategyState("diverging", 0, Map.of(), Map.of());
        }

        @Override
        public void restore(StrategyState state) {}

        @Override
        public void reset() {
            calls.add("reset");
        }

        @Override
        public void close() {}
    }

    @Test
    void theGuardsJudgeThePredictionsOwnOutcomeNotTheLearningStepsOne() {
        DivergingLearner s = new DivergingLearner();
        ActorRef<ModelActor.Command> actor = KIT.spawn(ModelActor.create(name -> s, "diverging", null,
                new Guards.Settings(3, false, 0.2, 0.9, 50), ModelActor.LabelPolicy.inlineOnly()), ModelActor.dispatcher());
        TestProbe<ModelActor.Result> reply = KIT.createTestProbe();
        for (int i = 0; i < 6; i++) {
            actor.tell(new ModelActor.Predict(new InputBatch(1, new int[] {1}, new float[1]), null, new int[] {1}, Map.of(),
                    reply.getRef()));
            ModelActor.Predicted p = reply.expectMessageClass(ModelActor.Predicted.class);
            assertEquals(List.of(), p.actions(), "six diverged learning steps are not three diverged predictions");
            assertEquals(StepOutcome.Kind.APPLIED, p.output().step().kind());
            assertEquals(StepOutcome.Kind.DIVERGED, p.learned().kind());
        }
        KIT.stop(actor);
        assertEquals(List.of("predict", "learn", "predict", "learn", "predict", "learn", "predict", "learn", "predict",
                "learn", "predict", "learn"), s.calls);
    }
}
