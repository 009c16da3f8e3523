package io.ctta.adapters.continual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.GaussianNoise;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.PrequentialStep;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.InPlace;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.Mlp;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The fused MLP step (one native call: forward, back-propagation written out, guard, update)
 * against the generic path (DJL forward, autograd, the optimizer's own update) on twin models:
 * the same predictions, outcomes, parameters and optimizer state after many steps, to float
 * rounding, for every optimizer form the kernel implements.
 */
class FusedMlpStepTest {

    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    private static final ModelSpec MLP = ModelSpec.mlp(Mlp.Architecture.parse("mlp:64-32-16-5"));

    private static AdaptiveModel model() {
        return AdaptiveModel.create(MLP, Device.CPU, 5);
    }

    /** The registered strategy (fused where it applies) and its unfused twin on an identical model. */
    private record Twins(ContinualStrategy fused, ContinualStrategy generic, AdaptiveModel fusedModel,
            AdaptiveModel genericModel) implements AutoCloseable {
        static Twins of(String name, String settings) {
            AdaptiveModel fm = model();
            AdaptiveModel gm = model();
            ContinualStrategy f = (ContinualStrategy) REGISTRY.create(name,
                    new StrategyContext(fm, ConfigFactory.parseString(settings), 17));
            ContinualStrategy g = new ContinualStrategy(name, gm, f.optimizerSettings(), f.settings(),
                    GradientGate.create(), 17, false);
            return new Twins(f, g, fm, gm);
        }

        @Override
        public void close() {
            fused.close();
            generic.close();
        }
    }

    private static InputBatch batch(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 255);
        }
        return new InputBatch(n, new int[] {64}, x);
    }

    private static int[] labels(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(5);
        }
        return y;
    }

    private static void assertClose(Map<String, StrategyState.Tensor> expected, Map<String, StrategyState.Tensor> actual,
            double tolerance) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, e) -> {
            float[] a = actual.get(k).data();
            assertEquals(e.data().length, a.length, k);
            for (int i = 0; i < a.length; i++) {
                float want = e.data()[i];
                assertEquals(want, a[i], tolerance * Math.max(1, Math.abs(want)), k + "[" + i + "]");
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "sgd  | ",
        "sgd  | sigma = 0.01",
        "adam | ",
        "adam | beta1 = 0.9, weight-decay = 0",
        "upgd | ",
        "upgd | scaling = local",
        "upgd | form = non-protecting, sigma = 0.05",
        "upgd | utility-max = raw-trace, sigma = 0",
    })
    void theFusedStepIsTheGenericStep(String name, String settings) {
        try (Twins t = Twins.of(name, settings == null ? "" : settings)) {
            assertTrue(t.fused().fusedSteps(), "an MLP without regularizer takes the fused path");
            assertFalse(t.generic().fusedSteps());
            for (int s = 0; s < 40; s++) {
                int n = s % 3 == 0 ? 8 : 1;
                InputBatch x = batch(n, s);
                int[] y = labels(n, s);
                PrequentialStep f = t.fused().prequentialStep(x, y);
                PrequentialStep g = t.generic().prequentialStep(x, y);
                assertEquals(g.learned().kind(), f.learned().kind(), "step " + s);
                assertEquals(g.learned().loss(), f.learned().loss(), 1e-4 * Math.max(1, Math.abs(g.learned().loss())), "loss " + s);
                float[] pf = f.prediction().probabilities();
                float[] pg = g.prediction().probabilities();
                assertEquals(pg.length, pf.length);
                for (int i = 0; i < pg.length; i++) {
                    assertEquals(pg[i], pf[i], 1e-5, "probability " + i + " of step " + s);
                }
            }
            assertEquals(t.generic().modelVersion(), t.fused().modelVersion());
            StrategyState sf = t.fused().snapshot();
            StrategyState sg = t.generic().snapshot();
            assertEquals(sg.scalars(), sf.scalars());
            assertClose(sg.tensors(), sf.tensors(), 1e-4);
        }
    }

    /** Every tensor the fused step makes (input, labels, probabilities, Adam's step number) dies with its step. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sgd", "adam", "upgd"})
    void nativeMemoryStaysFlatOverManyFusedSteps(String name) {
        try (Twins t = Twins.of(name, "")) {
            t.fused().prequentialStep(batch(1, 0), labels(1, 0));
            long base = t.fusedModel().liveArrayCount();
            for (int s = 1; s < 60; s++) {
                int n = s % 3 == 0 ? 8 : 1;
                t.fused().prequentialStep(batch(n, s), labels(n, s));
            }
            t.fused().snapshot();
            assertEquals(base, t.fusedModel().liveArrayCount(), name);
            assertEquals(60, t.fused().modelVersion());
        }
    }

    @Test
    void onlyBuiltInMlpsWithoutRegularizerAreFused() {
        try (ContinualStrategy cnn = (ContinualStrategy) REGISTRY.create("sgd",
                new StrategyContext(AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1), ConfigFactory.empty(), 1));
                ContinualStrategy spectral = (ContinualStrategy) REGISTRY.create("upgd+spectral",
                        new StrategyContext(model(), ConfigFactory.empty(), 1))) {
            assertFalse(cnn.fusedSteps());
            assertFalse(spectral.fusedSteps());
        }
    }

    /** Batches of one: sgd takes the kernel's rank-one path (no gradient tensor), the others the general one. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"upgd", "sgd", "adam"})
    void aCertainCorrectPredictionIsSkippedAndANonFiniteWeightDivergesOnBothPaths(String name) {
        try (Twins t = Twins.of(name, "")) {
            for (boolean fusedPath : new boolean[] {true, false}) {
                ContinualStrategy s = fusedPath ? t.fused() : t.generic();
                AdaptiveModel m = fusedPath ? t.fusedModel() : t.genericModel();
                // The last bias makes class 0 certain: softmax is exactly one-hot, every gradient exactly 0.
                Parameter lastBias = m.parameters(ParameterSelector.all()).get(5);
                InPlace.write(lastBias.getArray(), new float[] {1000, 0, 0, 0, 0});
                StrategyState before = s.snapshot();
                PrequentialStep skipped = s.prequentialStep(batch(1, 3), new int[] {0});
                assertEquals(StepOutcome.Kind.SKIPPED, skipped.learned().kind(), skipped.learned().toString());
                assertEquals(0, s.modelVersion());
                assertClose(before.tensors(), s.snapshot().tensors(), 0);

                Parameter firstWeight = m.parameters(ParameterSelector.all()).get(0);
                float[] w = firstWeight.getArray().toFloatArray();
                w[0] = Float.NaN;
                InPlace.write(firstWeight.getArray(), w);
                StrategyState poisoned = s.snapshot();
                PrequentialStep diverged = s.prequentialStep(batch(1, 4), new int[] {1});
                assertEquals(StepOutcome.Kind.DIVERGED, diverged.learned().kind(), diverged.learned().toString());
                assertEquals(0, s.modelVersion());
                Map<String, StrategyState.Tensor> after = s.snapshot().tensors();
                poisoned.tensors().forEach((k, v) -> assertArraysSameIncludingNaN(v.data(), after.get(k).data(), k));
            }
        }
    }

    @Test
    void aCheckpointOfTheFusedPathResumesOnTheGenericPathWithTheSameNoise() {
        try (Twins t = Twins.of("upgd", "sigma = 0.05")) {
            for (int s = 0; s < 10; s++) {
                t.fused().learn(batch(1, s), labels(1, s));
            }
            t.generic().restore(t.fused().snapshot());
            for (int s = 10; s < 20; s++) {
                StepOutcome f = t.fused().learn(batch(1, s), labels(1, s));
                StepOutcome g = t.generic().learn(batch(1, s), labels(1, s));
                assertEquals(g.kind(), f.kind());
            }
            assertClose(t.generic().snapshot().tensors(), t.fused().snapshot().tensors(), 1e-4);
        }
    }

    @Test
    void noiseIsAFunctionOfSeedStepAndTensorDrawnByLibtorch() {
        float[] a = GaussianNoise.sample(7, 1, 0, 100_000, 0.5);
        double mean = 0;
        double square = 0;
        for (float v : a) {
            mean += v;
            square += v * v;
        }
        mean /= a.length;
        double sd = Math.sqrt(square / a.length - mean * mean);
        // N(0, 0.25): the sample mean is within 5 standard errors of 0, the sd within 1 %.
        assertEquals(0, mean, 5 * 0.5 / Math.sqrt(a.length));
        assertEquals(0.5, sd, 0.005);
        assertTrue(java.util.Arrays.equals(a, GaussianNoise.sample(7, 1, 0, 100_000, 0.5)));
        assertFalse(java.util.Arrays.equals(a, GaussianNoise.sample(7, 2, 0, 100_000, 0.5)));
        assertFalse(java.util.Arrays.equals(a, GaussianNoise.sample(7, 1, 1, 100_000, 0.5)));
        assertFalse(java.util.Arrays.equals(a, GaussianNoise.sample(8, 1, 0, 100_000, 0.5)));
    }

    private static void assertArraysSameIncludingNaN(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), what + "[" + i + "]");
        }
    }
}
