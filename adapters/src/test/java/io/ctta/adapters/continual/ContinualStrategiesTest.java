package io.ctta.adapters.continual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.Upgd;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContinualStrategiesTest {

    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    private static final List<String> ALL = List.of("sgd", "adam", "upgd", "sgd+spectral", "adam+spectral",
            "upgd+spectral");

    private static AdaptiveModel model() {
        return AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3);
    }

    private static ContinualStrategy create(String name, String settings, long seed) {
        return (ContinualStrategy) REGISTRY.create(name,
                new StrategyContext(model(), ConfigFactory.parseString(settings), seed));
    }

    private static ContinualStrategy create(String name, String settings) {
        return create(name, settings, 11);
    }

    /** A labelled batch: images and labels. */
    private record Labelled(InputBatch batch, int[] labels) {}

    private static Labelled labelled(int n, long seed) {
        int[] y = new int[n];
        float[] x = TestData.images(n, y, seed, 0f);
        return new Labelled(new InputBatch(n, new int[] {1, 28, 28}, x), y);
    }

    private static void assertSameParameters(Map<String, StrategyState.Tensor> a, Map<String, StrategyState.Tensor> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.data(), b.get(k).data(), 0f, k));
    }

    @Test
    void everyStrategyIsRegisteredWithTheDocumentedDefaults() {
        assertTrue(REGISTRY.names().containsAll(ALL), REGISTRY.names().toString());
        try (ContinualStrategy sgd = create("sgd", ""); ContinualStrategy adam = create("adam", "");
                ContinualStrategy upgd = create("upgd", ""); ContinualStrategy spec = create("sgd+spectral", "")) {
            assertEquals(SgdSettings.defaults(), sgd.optimizerSettings());
            assertEquals(new AdamSettings(1e-4, 0, 0.9999, 1e-8, 0.1), adam.optimizerSettings());
            assertEquals(new UpgdSettings(0.01, 0.001, 0.999, 0.001, Upgd.Scaling.GLOBAL, Upgd.Form.PROTECTING,
                    Upgd.UtilityMax.BIAS_CORRECTED), upgd.optimizerSettings());
            assertEquals(LearnerSettings.Regularization.NONE, sgd.settings().regularizer());
            assertEquals(LearnerSettings.Regularization.SPECTRAL, spec.settings().regularizer());
            assertEquals(new SpectralSettings(1e-3, 2, true, true), spec.settings().spectral());
            assertEquals(LearnerSettings.BatchNormPolicy.AUTO, spec.settings().batchNorm());
            assertEquals(16, spec.settings().batchNormMinBatch());
            assertEquals("sgd+spectral", spec.name());
        }
    }

    @Test
    void settingsAreValidatedNamingTheKey() {
        String[][] cases = {
            {"upgd", "beta-utility = 1", "invalid setting 'strategies.upgd.beta-utility' = 1.0: expected in [0, 1)"},
            {"upgd", "form = gentle", "invalid setting 'strategies.upgd.form' = \"gentle\": expected one of protecting, non-protecting"},
            {"upgd", "utility-max = code", "invalid setting 'strategies.upgd.utility-max' = \"code\": expected one of bias-corrected, raw-trace"},
            {"sgd", "lr = -1", "invalid setting 'strategies.sgd.lr' = -1.0: expected > 0"},
            {"sgd", "weight_decay = 0.1", "invalid setting 'strategies.sgd.weight_decay': unknown setting; did you mean"
                    + " 'strategies.sgd.weight-decay'?"},
            {"adam", "beta1 = 1.5", "invalid setting 'strategies.adam.beta1' = 1.5: expected in [0, 1)"},
            {"adam", "batch-norm-min-batch = 1", "invalid setting 'strategies.adam.batch-norm-min-batch' = 1: expected >= 2"
                    + " (batch statistics need two samples)"},
            {"sgd", "spectral { rho = -1 }", "invalid setting 'strategies.sgd.spectral.rho' = -1.0: expected >= 0"},
            {"sgd", "spectral = 3", "invalid setting 'strategies.sgd.spectral' = 3: expected a block { ... }"},
            {"sgd", "spectral { k = 3 }", "invalid setting 'strategies.sgd.spectral.k': unknown setting; known keys here:"
                    + " biases, exponent, norm-scales, rho"},
            {"sgd+spectral", "regularizer = none", "invalid setting 'strategies.\"sgd+spectral\".regularizer' = \"none\": expected spectral or"
                    + " wasserstein for strategy 'sgd+spectral'; use strategy 'sgd' for no regularizer"},
            {"sgd+spectral", "lr = 0", "invalid setting 'strategies.\"sgd+spectral\".lr' = 0.0: expected > 0"},
            {"upgd", "batch-norm = sometimes", "invalid setting 'strategies.upgd.batch-norm' = \"sometimes\": expected one of auto, train, frozen"},
        };
        for (String[] c : cases) {
            AdaptiveModel m = model();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> REGISTRY.create(c[0], new StrategyContext(m, ConfigFactory.parseString(c[1]), 1)), c[1]);
            assertEquals(c[2], e.getMessage());
            m.close();
        }
    }

    @Test
    void predictIsTheModelInEvalModeAndChangesNothing() {
        Labelled b = labelled(8, 1);
        try (AdaptiveModel ref = model(); ContinualStrategy s = create("upgd", "")) {
            Map<String, StrategyState.Tensor> before = s.snapshot().tensors();
            ModelOutput out = s.predict(b.batch());
            assertArrayEquals(ref.predict(b.batch()).probabilities(), out.probabilities(), 0f);
            assertEquals(StepOutcome.Kind.NONE, out.step().kind());
            assertEquals(0, out.modelVersion());
            assertSameParameters(before, s.snapshot().tensors());
        }
    }

    @Test
    void everyStrategyLowersTheLossOnARepeatedBatch() {
        Labelled b = labelled(8, 2);
        for (String name : ALL) {
            // Adam's streaming default (1e-4) is slow for a 20-step test; the others use their defaults.
            try (ContinualStrategy s = create(name, name.startsWith("adam") ? "lr = 0.001" : "")) {
                double first = Double.NaN;
                double last = Double.NaN;
                for (int i = 0; i < 10; i++) {
                    StepOutcome o = s.learn(b.batch(), b.labels());
                    assertEquals(StepOutcome.Kind.APPLIED, o.kind(), name + ": " + o.detail());
                    if (i == 0) {
                        first = o.loss();
                    }
                    last = o.loss();
                }
                assertEquals(10, s.modelVersion());
                assertEquals(10, s.predict(b.batch()).modelVersion());
                assertTrue(last < first * 0.7, name + ": loss " + first + " -> " + last);
            }
        }
    }

    @Test
    void predictAndLearnIsPredictThenLearnFromOneForward() {
        // Batches of 2 learn in eval mode (one forward serves both), batches of 8 with batch
        // statistics (two forwards); either way the result is predict then learn, bit for bit.
        List<Labelled> stream = List.of(labelled(2, 21), labelled(8, 22), labelled(2, 23), labelled(2, 24));
        for (String name : List.of("sgd", "adam", "upgd", "upgd+spectral")) {
            String settings = "batch-norm-min-batch = 8" + (name.equals("upgd") ? "\nsigma = 0.05" : "");
            try (ContinualStrategy twoCalls = create(name, settings); ContinualStrategy fused = create(name, settings)) {
                for (Labelled l : stream) {
                    ModelOutput expected = twoCalls.predict(l.batch());
                    StepOutcome learned = twoCalls.learn(l.batch(), l.labels());
                    ModelOutput out = fused.predictAndLearn(l.batch(), l.labels());
                    assertArrayEquals(expected.probabilities(), out.probabilities(), 0f, name);
                    assertEquals(expected.modelVersion(), out.modelVersion(), name);
                    assertEquals(learned.kind(), out.step().kind(), name);
                    assertEquals(StepOutcome.Kind.APPLIED, out.step().kind(), name);
                    assertEquals(learned.loss(), out.step().loss(), 0.0, name);
                }
                assertEquals(stream.size(), fused.modelVersion());
                assertSameParameters(twoCalls.snapshot().tensors(), fused.snapshot().tensors());
                int[] bad = {0, 99};
                Labelled l = stream.get(0);
                ModelOutput skipped = fused.predictAndLearn(l.batch(), bad);
                assertEquals(StepOutcome.Kind.SKIPPED, skipped.step().kind());
                assertArrayEquals(twoCalls.predict(l.batch()).probabilities(), skipped.probabilities(), 0f);
            }
        }
    }

    @Test
    void snapshotRestoreGivesIdenticalNextPredictionsAndResetReturnsToStart() {
        Labelled b1 = labelled(8, 3);
        Labelled b2 = labelled(8, 4);
        Labelled b3 = labelled(8, 5);
        Labelled b4 = labelled(2, 6);
        String[][] variants = {
            {"upgd", "sigma = 0.05"},
            {"upgd", "scaling = local, form = non-protecting, utility-max = raw-trace"},
            {"adam", ""},
            {"sgd", "sigma = 0.01"},
            {"sgd+spectral", "spectral.rho = 0.01"},
            {"upgd+spectral", "regularizer = wasserstein"},
        };
        for (String[] v : variants) {
            String label = v[0] + " {" + v[1] + "}";
            // Batches of 8 learn with batch statistics, the batch of 2 in eval mode.
            String settings = v[1] + "\nbatch-norm-min-batch = 8";
            // b is built with another seed: the state must carry every seed that matters.
            try (ContinualStrategy a = create(v[0], settings); ContinualStrategy b = create(v[0], settings, 99)) {
                float[] start = a.predict(b3.batch()).probabilities();
                a.learn(b1.batch(), b1.labels());
                a.learn(b2.batch(), b2.labels());
                a.learn(b4.batch(), b4.labels()); // a small batch: eval-mode BN
                StrategyState st = a.snapshot();
                assertEquals(3, st.modelVersion());
                a.learn(b3.batch(), b3.labels());
                a.learn(b1.batch(), b1.labels());
                float[] expected = a.predict(b2.batch()).probabilities();
                b.learn(b2.batch(), b2.labels()); // diverge b first, then restore
                b.restore(st);
                assertEquals(3, b.modelVersion());
                b.learn(b3.batch(), b3.labels());
                b.learn(b1.batch(), b1.labels());
                assertArrayEquals(expected, b.predict(b2.batch()).probabilities(), 0f, label);
                assertSameParameters(a.snapshot().tensors(), b.snapshot().tensors());
                a.reset();
                assertEquals(0, a.modelVersion());
                assertArrayEquals(start, a.predict(b3.batch()).probabilities(), 0f, label);
            }
        }
        try (ContinualStrategy a = create("sgd", ""); ContinualStrategy b = create("adam", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.restore(a.snapshot()));
            assertEquals("cannot restore a 'sgd' state into adam", e.getMessage());
        }
    }

    @Test
    void theRegularizerSettingAndTheComposedNameAreTheSameStrategy() {
        Labelled b1 = labelled(16, 7);
        Labelled b2 = labelled(16, 8);
        try (ContinualStrategy composed = create("sgd+spectral", "spectral.rho = 0.01");
                ContinualStrategy setting = create("sgd", "regularizer = spectral, spectral.rho = 0.01");
                ContinualStrategy plain = create("sgd", "")) {
            for (int i = 0; i < 3; i++) {
                StepOutcome c = composed.learn(b1.batch(), b1.labels());
                StepOutcome s = setting.learn(b1.batch(), b1.labels());
                StepOutcome p = plain.learn(b1.batch(), b1.labels());
                assertEquals(c.loss(), s.loss(), 0);
                assertTrue(c.loss() > p.loss(), "the penalty is part of the reported loss");
            }
            float[] pc = composed.predict(b2.batch()).probabilities();
            assertArrayEquals(pc, setting.predict(b2.batch()).probabilities(), 0f);
            assertFalse(Arrays.equals(pc, plain.predict(b2.batch()).probabilities()));
        }
    }

    @Test
    void batchNormPolicyDecidesWhetherRunningStatisticsMove() {
        Labelled small = labelled(4, 9);
        Labelled big = labelled(16, 10);
        String[][] cases = {{"", "false", "true"}, {"batch-norm = frozen", "false", "false"},
                {"batch-norm = train", "true", "true"}, {"batch-norm-min-batch = 4", "true", "true"}};
        for (String[] c : cases) {
            try (ContinualStrategy s = create("sgd", c[0])) {
                Map<String, StrategyState.Tensor> r0 = running(s);
                assertEquals(StepOutcome.Kind.APPLIED, s.learn(small.batch(), small.labels()).kind());
                Map<String, StrategyState.Tensor> r1 = running(s);
                assertEquals(Boolean.parseBoolean(c[1]), !same(r0, r1), c[0] + " small batch");
                assertEquals(StepOutcome.Kind.APPLIED, s.learn(big.batch(), big.labels()).kind());
                assertEquals(Boolean.parseBoolean(c[2]), !same(r1, running(s)), c[0] + " big batch");
            }
        }
        // UPGD's one-sample steps: eval-mode BN, no error.
        Labelled one = labelled(1, 11);
        try (ContinualStrategy s = create("upgd", "")) {
            assertEquals(StepOutcome.Kind.APPLIED, s.learn(one.batch(), one.labels()).kind());
        }
    }

    private static Map<String, StrategyState.Tensor> running(ContinualStrategy s) {
        Map<String, StrategyState.Tensor> out = new java.util.TreeMap<>();
        s.snapshot().tensors().forEach((k, v) -> {
            if (k.contains("running")) {
                out.put(k, v);
            }
        });
        assertEquals(6, out.size());
        return out;
    }

    private static boolean same(Map<String, StrategyState.Tensor> a, Map<String, StrategyState.Tensor> b) {
        for (String k : a.keySet()) {
            if (!Arrays.equals(a.get(k).data(), b.get(k).data())) {
                return false;
            }
        }
        return true;
    }

    @Test
    void divergenceLeavesEverythingUnchangedAndBadLabelsAreSkipped() {
        AdaptiveModel m = model();
        try (ContinualStrategy s = create("upgd", "")) {
            Map<String, StrategyState.Tensor> before = s.snapshot().tensors();
            int[] y = new int[16];
            float[] x = TestData.images(16, y, 12, 0f);
            x[100] = Float.NaN;
            StepOutcome o = s.learn(new InputBatch(16, new int[] {1, 28, 28}, x), y);
            assertEquals(StepOutcome.Kind.DIVERGED, o.kind());
            assertEquals(0, s.modelVersion());
            assertSameParameters(before, s.snapshot().tensors());
            Labelled ok = labelled(16, 13);
            int[] bad = ok.labels().clone();
            bad[3] = 10;
            StepOutcome skipped = s.learn(ok.batch(), bad);
            assertEquals(StepOutcome.Kind.SKIPPED, skipped.kind());
            assertEquals("label 10 of sample 3 is outside [0, 10)", skipped.detail());
            assertThrows(IllegalArgumentException.class, () -> s.learn(ok.batch(), new int[3]));
            assertEquals(StepOutcome.Kind.APPLIED, s.learn(ok.batch(), ok.labels()).kind());
        } finally {
            m.close();
        }
    }

    @Test
    void updatesEveryParameterButTheRunningStatisticsWithFrozenBatchNorm() {
        Labelled b = labelled(8, 14);
        try (ContinualStrategy s = create("upgd", "batch-norm = frozen")) {
            Map<String, StrategyState.Tensor> before = s.snapshot().tensors();
            s.learn(b.batch(), b.labels());
            Map<String, StrategyState.Tensor> after = s.snapshot().tensors();
            Set<String> params = Set.copyOf(before.keySet().stream().filter(k -> k.startsWith("param/")).toList());
            for (String k : params) {
                boolean changed = !Arrays.equals(before.get(k).data(), after.get(k).data());
                assertEquals(!k.contains("running"), changed, k);
            }
            assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("opt/upgd.utility/")));
        }
    }

    @Test
    void seededNoiseMakesUpgdReproducibleAndTheSeedMatters() {
        Labelled b = labelled(16, 15);
        try (ContinualStrategy a = create("upgd", "sigma = 0.1", 5); ContinualStrategy same = create("upgd", "sigma = 0.1", 5);
                ContinualStrategy other = create("upgd", "sigma = 0.1", 6)) {
            for (int i = 0; i < 3; i++) {
                a.learn(b.batch(), b.labels());
                same.learn(b.batch(), b.labels());
                other.learn(b.batch(), b.labels());
            }
            float[] pa = a.predict(b.batch()).probabilities();
            assertArrayEquals(pa, same.predict(b.batch()).probabilities(), 0f);
            assertFalse(Arrays.equals(pa, other.predict(b.batch()).probabilities()));
        }
    }

    @Test
    void nativeMemoryStaysFlatOverManyLearnSteps() {
        Labelled[] batches = new Labelled[8];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = labelled(i % 2 == 0 ? 8 : 2, 200 + i);
        }
        for (String[] v : new String[][] {{"upgd+spectral", "80"}, {"adam", "20"}}) {
            int steps = Integer.parseInt(v[1]);
            String settings = "batch-norm-min-batch = 8" + (v[0].equals("adam") ? ", regularizer = wasserstein" : "");
            AdaptiveModel m = model();
            try (AdaptationStrategy s = REGISTRY.create(v[0], new StrategyContext(m, ConfigFactory.parseString(settings), 1))) {
                s.learn(batches[0].batch(), batches[0].labels());
                s.predict(batches[0].batch());
                long base = m.liveArrayCount();
                for (int i = 0; i < steps; i++) {
                    Labelled b = batches[i % batches.length];
                    s.predict(b.batch());
                    StepOutcome o = s.learn(b.batch(), b.labels());
                    assertEquals(StepOutcome.Kind.APPLIED, o.kind(), v[0] + " step " + i + ": " + o);
                }
                s.snapshot();
                assertEquals(base, m.liveArrayCount(), v[0]);
                assertEquals(steps + 1, s.modelVersion());
            }
            assertTrue(m.isClosed());
        }
    }
}
