package io.ctta.adapters;

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
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrategiesTest {
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();

    private static AdaptationStrategy create(String name, String settings, AdaptiveModel model) {
        return REGISTRY.create(name, new StrategyContext(model, ConfigFactory.parseString(settings), 1));
    }

    private static AdaptiveModel model() {
        return AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3);
    }

    private static InputBatch shifted(int n, long seed) {
        return new InputBatch(n, new int[] {1, 28, 28}, TestData.images(n, new int[n], seed, 40f));
    }

    @Test
    void registryFindsBuiltInsAndRejectsUnknown() {
        assertTrue(REGISTRY.names().containsAll(Set.of("source", "norm", "tent")));
        try (AdaptiveModel m = model()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> REGISTRY.create("x", new StrategyContext(m, ConfigFactory.empty(), 1)));
            assertEquals("unknown strategy 'x'; known: " + String.join(", ", REGISTRY.names()), e.getMessage());
        }
    }

    @Test
    void sourceIsTheModelInEvalMode() {
        InputBatch b = shifted(8, 1);
        try (AdaptiveModel ref = model(); AdaptationStrategy s = create("source", "", model())) {
            ModelOutput out = s.predict(b);
            assertArrayEquals(ref.predict(b).probabilities(), out.probabilities(), 0f);
            assertEquals(StepOutcome.Kind.NONE, out.step().kind());
            assertEquals(0, s.modelVersion());
        }
    }

    @Test
    void normUsesBatchStatisticsAndChangesNothing() {
        InputBatch b = shifted(16, 2);
        AdaptiveModel m = model();
        Map<String, StrategyState.Tensor> before = m.snapshotParameters(ParameterSelector.all());
        try (AdaptiveModel ref = model(); AdaptationStrategy s = create("norm", "", m)) {
            float[] norm = s.predict(b).probabilities();
            assertFalse(Arrays.equals(ref.predict(b).probabilities(), norm));
            s.predict(b);
            m.snapshotParameters(ParameterSelector.all()).forEach((k, v) ->
                    assertArrayEquals(before.get(k).data(), v.data(), 0f, k));
            try (AdaptationStrategy mixed = create("norm", "alpha = 0.1", model())) {
                assertFalse(Arrays.equals(norm, mixed.predict(b).probabilities()));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> create("norm", "alpha = 0", model()));
        assertEquals("invalid setting 'strategies.norm.alpha' = 0.0: expected in (0, 1]", e.getMessage());
    }

    @Test
    void tentValidatesSettingsNamingTheKey() {
        for (String[] c : new String[][] {
                {"lr = -1", "invalid setting 'strategies.tent.lr' = -1.0: expected > 0"},
                {"optimizer = rmsprop", "invalid setting 'strategies.tent.optimizer' = \"rmsprop\": expected one of adam, sgd"},
                {"beta1 = 1", "invalid setting 'strategies.tent.beta1' = 1.0: expected in [0, 1)"},
                {"episodic = maybe", "invalid setting 'strategies.tent.episodic' = \"maybe\": expected true or false"},
                {"lr = fast", "invalid setting 'strategies.tent.lr' = \"fast\": expected a number"}}) {
            AdaptiveModel m = model();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create("tent", c[0], m));
            assertEquals(c[1], e.getMessage());
            m.close();
        }
    }

    @Test
    void tentUpdatesOnlyAffineParametersAndLowersEntropy() {
        AdaptiveModel m = model();
        Map<String, StrategyState.Tensor> before = m.snapshotParameters(ParameterSelector.all());
        var affine = Set.copyOf(m.parameterNames(ParameterSelector.batchNormAffine()));
        InputBatch b = shifted(32, 3);
        try (AdaptationStrategy s = create("tent", "lr = 0.01", m)) {
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 15; i++) {
                ModelOutput out = s.predict(b);
                assertEquals(StepOutcome.Kind.APPLIED, out.step().kind(), out.step().detail());
                assertEquals(i, out.modelVersion());
                if (i == 0) {
                    first = out.step().loss();
                }
                last = out.step().loss();
            }
            assertEquals(15, s.modelVersion());
            assertTrue(last < first * 0.9, "entropy " + first + " -> " + last);
            Map<String, StrategyState.Tensor> after = m.snapshotParameters(ParameterSelector.all());
            for (String k : before.keySet()) {
                boolean same = Arrays.equals(before.get(k).data(), after.get(k).data());
                assertEquals(!affine.contains(k), same, k);
            }
        }
    }

    @Test
    void tentSnapshotRestoreContinuesExactlyAndResetReturnsToStart() {
        InputBatch b1 = shifted(16, 4);
        InputBatch b2 = shifted(16, 5);
        InputBatch b3 = shifted(16, 6);
        try (AdaptationStrategy a = create("tent", "", model()); AdaptationStrategy b = create("tent", "", model())) {
            float[] start = a.predict(b1).probabilities();
            a.predict(b2);
            StrategyState st = a.snapshot();
            assertEquals(2, st.modelVersion());
            ModelOutput expected3 = a.predict(b3);
            ModelOutput expected1 = a.predict(b1);
            b.predict(b3); // diverge b first, then restore
            b.restore(st);
            assertEquals(2, b.modelVersion());
            assertArrayEquals(expected3.probabilities(), b.predict(b3).probabilities(), 0f);
            assertArrayEquals(expected1.probabilities(), b.predict(b1).probabilities(), 0f);
            a.reset();
            assertEquals(0, a.modelVersion());
            assertArrayEquals(start, a.predict(b1).probabilities(), 0f);
        }
    }

    @Test
    void tentDivergenceLeavesParametersUnchanged() {
        AdaptiveModel m = model();
        try (AdaptationStrategy s = create("tent", "", m)) {
            Map<String, StrategyState.Tensor> before = m.snapshotParameters(ParameterSelector.all());
            float[] x = TestData.images(8, new int[8], 7, 0f);
            x[5] = Float.NaN;
            ModelOutput out = s.predict(new InputBatch(8, new int[] {1, 28, 28}, x));
            assertEquals(StepOutcome.Kind.DIVERGED, out.step().kind());
            assertEquals(0, s.modelVersion());
            m.snapshotParameters(ParameterSelector.all()).forEach((k, v) ->
                    assertArrayEquals(before.get(k).data(), v.data(), 0f, k));
            assertEquals(StepOutcome.Kind.APPLIED, s.predict(shifted(8, 8)).step().kind());
        }
    }

    @Test
    void tentSgdAndEpisodicWork() {
        InputBatch b = shifted(16, 9);
        try (AdaptationStrategy s = create("tent", "optimizer = sgd, lr = 0.005, episodic = true", model())) {
            float[] p1 = s.predict(b).probabilities();
            float[] p2 = s.predict(b).probabilities();
            assertArrayEquals(p1, p2, 0f); // episodic: each batch starts from the source state
        }
    }

    @Test
    void thousandsOfTentStepsLeaveNativeMemoryFlat() {
        AdaptiveModel m = model();
        try (AdaptationStrategy s = create("tent", "", m)) {
            InputBatch[] batches = new InputBatch[16];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = shifted(8, 100 + i);
            }
            s.predict(batches[0]);
            long base = m.liveArrayCount();
            for (int i = 0; i < 2000; i++) {
                s.predict(batches[i % batches.length]);
            }
            s.snapshot();
            assertEquals(base, m.liveArrayCount());
            assertEquals(2001, s.modelVersion());
        }
        assertTrue(m.isClosed());
    }
}
