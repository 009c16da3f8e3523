package io.ctta.adapters.rmt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.Adam;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RMT on the built-in CNN with a small synthetic source set (320 images whose class is the position
 * of a bright patch) and a shifted target (brighter background), so every test runs in seconds.
 */
class RmtStrategyTest {
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    /** Small but complete: 4 warm-up steps of 32, a 16-wide projector. */
    private static final String FAST = "warmup-samples = 128, source-batch-size = 32, projection-dim = 16";

    @TempDir
    Path dir;

    private static SourceData source(long seed) {
        int n = 320;
        int[] labels = new int[n];
        float[] x = TestData.images(n, labels, seed, 0f);
        return new SourceData(x, new int[] {1, 28, 28}, labels);
    }

    private static AdaptiveModel model() {
        return AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3);
    }

    private static InputBatch shifted(int n, long seed) {
        return new InputBatch(n, new int[] {1, 28, 28}, TestData.images(n, new int[n], seed, 40f));
    }

    private static RmtStrategy create(String settings, AdaptiveModel model, SourceData source) {
        return (RmtStrategy) REGISTRY.create("rmt",
                new StrategyContext(model, ConfigFactory.parseString(settings), 1, source));
    }

    private static Map<String, StrategyState.Tensor> part(StrategyState s, String prefix) {
        Map<String, StrategyState.Tensor> out = new HashMap<>();
        s.tensors().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static void assertSameState(StrategyState a, StrategyState b) {
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        a.tensors().forEach((k, v) -> assertArrayEquals(v.data(), b.tensors().get(k).data(), 0f, k));
        assertEquals(a.scalars(), b.scalars());
        assertEquals(a.modelVersion(), b.modelVersion());
    }

    @Test
    void settingsDefaultsAndValidationNameTheKey() {
        assertEquals(RmtSettings.defaults(), RmtSettings.fromConfig(ConfigFactory.empty()));
        RmtSettings free = RmtSettings.fromConfig(ConfigFactory.parseString("source-replay = false"));
        assertEquals(0, free.lambdaSrc());
        assertEquals(0, free.warmupSamples());
        assertEquals(781, RmtSettings.defaults().warmupSteps());
        assertEquals("sgd", RmtSettings.defaults().optimizer());
        assertEquals(0.01, RmtSettings.defaults().lr());
        for (String[] c : new String[][] {
                {"lr = -1", "invalid setting 'strategies.rmt.lr' = -1.0: expected > 0"},
                {"optimizer = rmsprop", "invalid setting 'strategies.rmt.optimizer' = \"rmsprop\": expected one of sgd, adam"},
                {"ema-momentum = 1.5", "invalid setting 'strategies.rmt.ema-momentum' = 1.5: expected in [0, 1]"},
                {"temperature = 0", "invalid setting 'strategies.rmt.temperature' = 0.0: expected > 0"},
                {"lambda-cont = -1", "invalid setting 'strategies.rmt.lambda-cont' = -1.0: expected >= 0"},
                {"projection-dim = 12.5", "invalid setting 'strategies.rmt.projection-dim' = 12.5: expected an integer >= 1"},
                {"source-batch-size = 1", "invalid setting 'strategies.rmt.source-batch-size' = 1: expected an integer >= 2"},
                {"warmup-samples = -5", "invalid setting 'strategies.rmt.warmup-samples' = -5: expected an integer >= 0"},
                {"source-replay = maybe", "invalid setting 'strategies.rmt.source-replay' = \"maybe\": expected true or false"},
                {"source-replay = false, lambda-src = 1",
                        "invalid setting 'strategies.rmt.lambda-src' = 1.0: expected 0 when strategies.rmt.source-replay is false"},
                {"lambda-src = 0", "invalid setting 'strategies.rmt.lambda-src' = 0.0: expected > 0 when strategies.rmt.source-replay"
                        + " is true (set source-replay = false for the source-free variant)"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RmtSettings.fromConfig(ConfigFactory.parseString(c[0])), c[0]);
            assertEquals(c[1], e.getMessage());
        }
    }

    @Test
    void missingSourceDataFailsWithAMessageNamingTheKey() {
        assertTrue(REGISTRY.names().contains("rmt"));
        try (AdaptiveModel m = model()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create(FAST, m, null));
            assertEquals("strategies.rmt.source-replay = true (the with-source variant, the default) replays labelled"
                    + " source batches, but this deployment provides no source data; provide source data or set"
                    + " strategies.rmt.source-replay = false (the source-free variant)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> create("source-replay = false", m, null));
            assertTrue(e.getMessage().startsWith("rmt needs source class prototypes (strategies.rmt.lambda-cont = 1.0"
                    + " > 0), but this deployment provides no source data and strategies.rmt.cache-dir is not set"),
                    e.getMessage());
            assertFalse(m.isClosed(), "a failed creation leaves the model to the caller");
        }
        // Source-free without the contrastive term needs nothing from the source.
        try (RmtStrategy s = create("source-replay = false, lambda-cont = 0", model(), null)) {
            assertEquals("none", s.setup().origin());
            ModelOutput out = s.predict(shifted(16, 1));
            assertEquals(StepOutcome.Kind.APPLIED, out.step().kind(), out.step().detail());
            assertEquals(0, s.lastStep().contrastive());
            assertEquals(0, s.lastStep().source());
        }
    }

    @Test
    void forwardWithFeaturesGivesTheLogitsOfForwardAndTheHeadInput() {
        InputBatch b = shifted(8, 2);
        try (AdaptiveModel m = model(); StepScope step = m.newStep()) {
            NDList both = m.forwardWithFeatures(step.manager(), b, ForwardMode.BATCH_STATS);
            NDArray plain = m.forward(step.manager(), b, ForwardMode.BATCH_STATS).head();
            assertEquals(new Shape(8, 64), both.get(0).getShape());
            assertArrayEquals(plain.toFloatArray(), both.get(1).toFloatArray(), 0f);
            for (float f : both.get(0).toFloatArray()) {
                assertTrue(f >= 0, "features come after the ReLU");
            }
            // logits = features · Wᵀ + b of the last layer
            List<ai.djl.nn.Parameter> head = m.parameters(ParameterSelector.lastLayer());
            NDArray manual = both.get(0).matMul(head.get(0).getArray().transpose()).add(head.get(1).getArray());
            assertArrayEquals(plain.toFloatArray(), manual.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void predictionIsTheEnsembleBeforeTheStepAndTheTeacherIsTheEmaAfterIt() {
        InputBatch b = shifted(16, 3);
        try (RmtStrategy s = create(FAST, model(), source(1)); AdaptiveModel ref = model()) {
            assertEquals("computed", s.setup().origin());
            assertEquals(4, s.setup().warmupSteps());
            StrategyState before = s.snapshot();
            assertEquals(0, before.modelVersion());
            ModelOutput out = s.predict(b);
            assertEquals(StepOutcome.Kind.APPLIED, out.step().kind(), out.step().detail());
            assertEquals(0, out.modelVersion());
            assertEquals(1, s.modelVersion());
            RmtStrategy.Diagnostics d = s.lastStep();
            assertEquals(d.selfTraining() + d.contrastive() + d.source(), out.step().loss(), 1e-4);
            assertTrue(d.contrastive() > 0 && d.source() > 0 && d.selfTraining() > 0, d.toString());

            // Published probabilities: softmax(z_s + z_t) with the parameters from before the step.
            float[] expected;
            try (StepScope step = ref.newStep()) {
                ref.restoreParameters(part(before, "student/"));
                NDArray zs = ref.forward(step.manager(), b, ForwardMode.BATCH_STATS).head();
                ref.restoreParameters(part(before, "teacher/"));
                NDArray zt = ref.forward(step.manager(), b, ForwardMode.BATCH_STATS).head();
                expected = zs.add(zt).softmax(-1).toFloatArray();
            }
            assertArrayEquals(expected, out.probabilities(), 1e-5f);

            // θ_t ← 0.999·θ_t + 0.001·θ_s, every trainable parameter, after the step.
            StrategyState after = s.snapshot();
            Map<String, StrategyState.Tensor> t0 = part(before, "teacher/");
            Map<String, StrategyState.Tensor> t1 = part(after, "teacher/");
            Map<String, StrategyState.Tensor> s0 = part(before, "student/");
            Map<String, StrategyState.Tensor> s1 = part(after, "student/");
            assertEquals(14, t1.size()); // 2 conv + 2 linear (weight, bias) + 3 BN (gamma, beta)
            int moved = 0;
            for (String k : t1.keySet()) {
                float[] a = t0.get(k).data();
                float[] st = s1.get(k).data();
                float[] got = t1.get(k).data();
                for (int i = 0; i < got.length; i++) {
                    assertEquals(0.999f * a[i] + 0.001f * st[i], got[i], 1e-6f + 1e-6f * Math.abs(got[i]), k + "[" + i + "]");
                }
                moved += java.util.Arrays.equals(s0.get(k).data(), st) ? 0 : 1;
            }
            // Conv biases right before a BN have an analytically zero gradient; everything else must move.
            assertTrue(moved >= 12, moved + " student parameters moved");
            assertArrayEquals(part(before, "projector/").get("w1").shape(), new long[] {16, 64});
            assertFalse(java.util.Arrays.equals(part(before, "projector/").get("w1").data(),
                    part(after, "projector/").get("w1").data()), "the projector is trained");
            assertArrayEquals(before.tensors().get("prototypes").data(), after.tensors().get("prototypes").data(), 0f);
        }
    }

    @Test
    void snapshotRestoreContinuesExactlyAndResetReturnsToTheWarmedUpState() {
        InputBatch b1 = shifted(16, 4);
        InputBatch b2 = shifted(16, 5);
        InputBatch b3 = shifted(16, 6);
        SourceData src = source(1);
        try (RmtStrategy a = create(FAST, model(), src); RmtStrategy b = create(FAST, model(), src)) {
            assertSameState(a.snapshot(), b.snapshot()); // same seed, same source: same set-up
            float[] start = a.predict(b1).probabilities();
            a.predict(b2);
            StrategyState st = a.snapshot();
            assertEquals(2, st.modelVersion());
            ModelOutput expected3 = a.predict(b3);
            ModelOutput expected1 = a.predict(b1);
            b.predict(b3); // diverge b first, then restore
            b.restore(st);
            assertEquals(2, b.modelVersion());
            ModelOutput got3 = b.predict(b3);
            ModelOutput got1 = b.predict(b1);
            assertArrayEquals(expected3.probabilities(), got3.probabilities(), 0f);
            assertArrayEquals(expected1.probabilities(), got1.probabilities(), 0f);
            assertEquals(expected1.step().loss(), got1.step().loss(), 0);
            assertSameState(a.snapshot(), b.snapshot());
            a.reset();
            assertEquals(0, a.modelVersion());
            assertArrayEquals(start, a.predict(b1).probabilities(), 0f);
        }
    }

    @Test
    void warmUpIsCachedAndASourceFreeDeploymentLoadsItsPrototypesFromTheCache() throws Exception {
        String cached = FAST + ", cache-dir = \"" + dir.toString().replace("\\", "/") + "\"";
        SourceData src = source(1);
        StrategyState first;
        try (RmtStrategy a = create(cached, model(), src)) {
            assertEquals("computed", a.setup().origin());
            assertTrue(Files.isRegularFile(a.setup().cacheFile()));
            first = a.snapshot();
        }
        try (RmtStrategy b = create(cached, model(), src)) {
            assertEquals("cache", b.setup().origin());
            assertSameState(first, b.snapshot());
        }
        try (RmtStrategy other = create(cached, model(), source(2))) {
            assertEquals("computed", other.setup().origin(), "other source data: the cache is stale");
        }
        // Source-free: compute the prototypes once with source data, ship the directory, run without it.
        String free = "source-replay = false, projection-dim = 16, cache-dir = \"" + dir.toString().replace("\\", "/") + "\"";
        StrategyState computed;
        try (RmtStrategy withSource = create(free, model(), src)) {
            assertEquals("computed", withSource.setup().origin());
            assertEquals(0, withSource.setup().warmupSteps());
            computed = withSource.snapshot();
        }
        InputBatch x = shifted(16, 7);
        try (RmtStrategy shipped = create(free, model(), null); RmtStrategy direct = create(free, model(), src)) {
            assertEquals("cache", shipped.setup().origin());
            assertArrayEquals(computed.tensors().get("prototypes").data(),
                    shipped.snapshot().tensors().get("prototypes").data(), 0f);
            assertArrayEquals(direct.predict(x).probabilities(), shipped.predict(x).probabilities(), 0f);
        }
        try (AdaptiveModel m = model()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> create(free.replace("projection-dim = 16", "projection-dim = 8"), m, null));
            assertTrue(e.getMessage().contains("strategies.rmt.cache-dir holds no set-up for this model, seed and"
                    + " settings (looked for "), e.getMessage());
        }
    }

    @Test
    void divergenceAndSingleSamplesLeaveEverythingUnchanged() {
        try (RmtStrategy s = create(FAST, model(), source(1))) {
            StrategyState before = s.snapshot();
            float[] x = TestData.images(8, new int[8], 7, 0f);
            x[5] = Float.NaN;
            ModelOutput out = s.predict(new InputBatch(8, new int[] {1, 28, 28}, x));
            assertEquals(StepOutcome.Kind.DIVERGED, out.step().kind());
            ModelOutput single = s.predict(shifted(1, 8));
            assertEquals(StepOutcome.Kind.SKIPPED, single.step().kind());
            assertEquals(1, single.size());
            assertEquals(0, s.modelVersion());
            StrategyState after = s.snapshot();
            before.tensors().forEach((k, v) -> assertArrayEquals(v.data(), after.tensors().get(k).data(), 0f, k));
            assertEquals(StepOutcome.Kind.APPLIED, s.predict(shifted(8, 9)).step().kind());
        }
    }

    @Test
    void repeatedStepsLowerTheLossAndNativeMemoryStaysFlat() {
        AdaptiveModel m = model();
        try (RmtStrategy s = create(FAST, m, source(1))) {
            InputBatch[] batches = new InputBatch[8];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = shifted(8, 100 + i);
            }
            double first = s.predict(batches[0]).step().loss();
            long base = s.liveArrayCount();
            long student = m.liveArrayCount();
            double last = Double.NaN;
            for (int i = 0; i < 40; i++) {
                ModelOutput out = s.predict(batches[0]);
                assertEquals(StepOutcome.Kind.APPLIED, out.step().kind(), out.step().detail());
                last = out.step().loss();
                s.predict(batches[1 + i % 7]);
            }
            s.restore(s.snapshot());
            s.predict(shifted(1, 1));
            assertEquals(base, s.liveArrayCount());
            assertEquals(student, m.liveArrayCount());
            assertEquals(81, s.modelVersion());
            assertTrue(last < first, "loss " + first + " -> " + last);
        }
        assertTrue(m.isClosed());
    }

    @Test
    void scaledStepMovesByTheScaledLearningRate() {
        try (NDManager m = NDManager.newBaseManager("PyTorch"); StepScope step = new StepScope(m)) {
            NDArray w = m.create(new float[] {1f, -1f});
            NDArray g = step.manager().create(new float[] {2f, -0.5f});
            try (Adam adam = new Adam(m, Map.of("w", new Shape(2)), 0.1f, 0.9f, 0.999f, 1e-8f)) {
                RmtStrategy.stepScaled(adam, List.of("w"), List.of(w), List.of(g), 0.25f, step.manager());
                // Adam's first step is lr·sign(g) (up to ε); scaled by 0.25
                assertArrayEquals(new float[] {1f - 0.025f, -1f + 0.025f}, w.toFloatArray(), 1e-6f);
                assertEquals(1, adam.stepCount());
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentAugmentationsAndProjectors() {
        SourceData src = source(1);
        try (RmtStrategy a = create(FAST, model(), src);
                RmtStrategy b = (RmtStrategy) REGISTRY.create("rmt", new StrategyContext(model(),
                        ConfigFactory.parseString(FAST), 2, src))) {
            assertNotEquals(java.util.Arrays.toString(a.snapshot().tensors().get("projector/w1").data()),
                    java.util.Arrays.toString(b.snapshot().tensors().get("projector/w1").data()));
            assertTrue(a.predict(shifted(8, 1)).step().kind() == StepOutcome.Kind.APPLIED);
        }
    }
}
