package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.memory.StepScope;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdaptiveModelTest {
    @TempDir
    Path dir;

    private static void assertSame(Map<String, StrategyState.Tensor> a, Map<String, StrategyState.Tensor> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.data(), b.get(k).data(), k));
    }

    @Test
    void seededCreationIsDeterministicAndGroupsAreNamed() {
        try (AdaptiveModel a = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 7);
                AdaptiveModel b = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 7)) {
            assertSame(a.snapshotParameters(ParameterSelector.all()), b.snapshotParameters(ParameterSelector.all()));
            assertEquals(6, a.parameters(ParameterSelector.batchNormAffine()).size());
            assertEquals(2, a.parameters(ParameterSelector.lastLayer()).size());
            assertEquals(a.namedParameters().size(), a.snapshotParameters(ParameterSelector.all()).size());
            InputBatch batch = TestData.batch(8, 1);
            ModelOutput out = a.predict(batch);
            assertEquals(8, out.size());
            assertEquals(10, out.numClasses());
            float s = 0;
            for (float p : out.probabilitiesOf(0)) {
                s += p;
            }
            assertEquals(1f, s, 1e-5f);
            assertArrayEquals(out.probabilities(), b.predict(batch).probabilities(), 1e-6f);
        }
    }

    @Test
    void batchStatsLeavesRunningStatisticsUntouchedButTrainUpdatesThem() {
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1)) {
            ParameterSelector running = ParameterSelector::isRunningStatistic;
            Map<String, StrategyState.Tensor> before = m.snapshotParameters(running);
            assertEquals(6, before.size());
            InputBatch batch = TestData.batch(16, 2);
            float[] eval;
            float[] stats;
            try (StepScope step = m.newStep()) {
                eval = m.forward(step.manager(), batch, ForwardMode.EVAL).head().toFloatArray();
                stats = m.forward(step.manager(), batch, ForwardMode.BATCH_STATS).head().toFloatArray();
                m.forward(step.manager(), batch, ForwardMode.BATCH_STATS, 0.1f);
            }
            assertFalse(java.util.Arrays.equals(eval, stats), "batch statistics must change the output");
            assertSame(before, m.snapshotParameters(running));
            try (StepScope step = m.newStep()) {
                m.forward(step.manager(), batch, ForwardMode.TRAIN);
            }
            Map<String, StrategyState.Tensor> after = m.snapshotParameters(running);
            String first = after.keySet().iterator().next();
            assertFalse(java.util.Arrays.equals(before.get(first).data(), after.get(first).data()));
        }
    }

    @Test
    void snapshotRestoreCopyAndFilesRoundTrip() throws Exception {
        InputBatch batch = TestData.batch(8, 3);
        try (AdaptiveModel a = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
                AdaptiveModel b = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 2)) {
            try (StepScope step = a.newStep()) {
                a.forward(step.manager(), batch, ForwardMode.TRAIN); // move running stats off defaults
            }
            float[] expected = a.predict(batch).probabilities();
            b.restoreParameters(a.snapshotParameters(ParameterSelector.all()));
            assertArrayEquals(expected, b.predict(batch).probabilities(), 0f);
            try (AdaptiveModel c = a.copy()) {
                assertArrayEquals(expected, c.predict(batch).probabilities(), 0f);
            }
            Path f = dir.resolve("sub/params.bin");
            a.saveParameters(f);
            try (AdaptiveModel d = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 99)) {
                d.loadParameters(f);
                assertArrayEquals(expected, d.predict(batch).probabilities(), 0f);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> b.restoreParameters(Map.of("nope", new StrategyState.Tensor(new long[] {1}, new float[1]))));
            assertTrue(e.getMessage().contains("'nope'"));
        }
    }

    @Test
    void predictLeavesNoArraysBehindAndCloseIsGuarded() {
        AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
        long base = m.liveArrayCount();
        for (int i = 0; i < 200; i++) {
            m.predict(TestData.batch(4, i));
        }
        assertEquals(base, m.liveArrayCount());
        m.close();
        m.close();
        assertTrue(m.isClosed());
        assertThrows(IllegalStateException.class, () -> m.predict(TestData.batch(1, 1)));
    }
}
