package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.train.SupervisedTrainer;
import io.ctta.runtime.train.TrainReport;
import io.ctta.runtime.train.TrainSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularMlpTest {
    private static final TabularMlp.Architecture ARCH = new TabularMlp.Architecture(2, 50, 4, 1, new int[] {8, 6});

    @TempDir
    Path dir;

    private static AdaptiveModel model(long seed) {
        return AdaptiveModel.create(ModelSpec.tabularMlp(ARCH, 2, "test"), Device.CPU, seed);
    }

    /** Rows {user, item, numeric}; label 1 for users below 25 unless the item is one of the last 10. */
    private static InputBatch rows(int n, int[] labels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 3];
        for (int i = 0; i < n; i++) {
            int u = r.nextInt(50);
            int m = r.nextInt(50);
            x[i * 3] = u;
            x[i * 3 + 1] = m;
            x[i * 3 + 2] = (float) r.nextGaussian();
            labels[i] = u < 25 && m < 40 ? 1 : 0;
        }
        return new InputBatch(n, new int[] {3}, x);
    }

    @Test
    void specValidatesTheArchitecture() {
        assertEquals("tabular-mlp-v1/c2x50e4+n1/h8-6/test", ModelSpec.tabularMlp(ARCH, 2, "test").version());
        assertThrows(IllegalArgumentException.class, () -> new TabularMlp.Architecture(0, 10, 4, 0, new int[] {4}));
        assertThrows(IllegalArgumentException.class, () -> new TabularMlp.Architecture(1, 10, 4, 0, new int[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelSpec(
                ModelSpec.Kind.TABULAR_MLP, null, new int[] {4}, 2, Preprocessing.IDENTITY, "v", ARCH));
        assertTrue(e.getMessage().contains("needs inputShape [3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec(ModelSpec.Kind.TABULAR_MLP, null,
                new int[] {3}, 2, Preprocessing.IDENTITY, "v"));
    }

    @Test
    void forwardWithFeaturesReturnsTheLastHiddenLayerAndTheSameLogits() {
        int[] y = new int[16];
        InputBatch b = rows(16, y, 1);
        try (AdaptiveModel m = model(3); StepScope step = m.newStep()) {
            float[] logits = m.forward(step.manager(), b, ForwardMode.EVAL).head().toFloatArray();
            NDList both = m.forwardWithFeatures(step.manager(), b, ForwardMode.EVAL);
            assertEquals(2, both.size());
            assertArrayEquals(new long[] {16, 6}, both.get(0).getShape().getShape());
            assertArrayEquals(logits, both.get(1).toFloatArray(), 1e-6f);
            float[] h = both.get(0).toFloatArray();
            for (float v : h) {
                assertTrue(v >= 0f, "ReLU features are non-negative");
            }
            // Known answer: logits = h . W^T + b with the head's parameters.
            Map<String, StrategyState.Tensor> head = m.snapshotParameters(ParameterSelector.lastLayer());
            float[] w = null;
            float[] bias = null;
            for (Map.Entry<String, StrategyState.Tensor> e : head.entrySet()) {
                if (e.getKey().toLowerCase().contains("weight")) {
                    w = e.getValue().data();
                } else {
                    bias = e.getValue().data();
                }
            }
            for (int i = 0; i < 16; i++) {
                for (int c = 0; c < 2; c++) {
                    double z = bias[c];
                    for (int k = 0; k < 6; k++) {
                        z += h[i * 6 + k] * w[c * 6 + k];
                    }
                    assertEquals(z, logits[i * 2 + c], 1e-5);
                }
            }
        }
    }

    @Test
    void builtinCnnAlsoExposesItsFeatures() {
        InputBatch b = TestData.batch(4, 2);
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
                StepScope step = m.newStep()) {
            for (ForwardMode mode : new ForwardMode[] {ForwardMode.EVAL, ForwardMode.BATCH_STATS}) {
                float[] logits = m.forward(step.manager(), b, mode).head().toFloatArray();
                NDList both = m.forwardWithFeatures(step.manager(), b, mode);
                assertArrayEquals(new long[] {4, 64}, both.get(0).getShape().getShape());
                assertArrayEquals(logits, both.get(1).toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void embeddingRowsAreLookedUpPerFieldAndBucket() {
        try (AdaptiveModel m = model(5)) {
            String name = m.parameterNames((n, p) -> n.contains("embedding")).get(0);
            StrategyState.Tensor t = m.snapshotParameters((n, p) -> n.equals(name)).get(name);
            assertArrayEquals(new long[] {100, 4}, t.shape());
            float[] x = {7, 9, 0.5f, 7, 10, 0.5f, 8, 9, 0.5f, 7, 9, 0.5f};
            InputBatch b = new InputBatch(4, new int[] {3}, x);
            float[] before = m.predict(b).probabilities();
            assertArrayEquals(slice(before, 0), slice(before, 3), 0f);
            // Change the row of item bucket 10 (field 1 owns rows 50..99): only sample 1 moves.
            float[] data = t.data();
            for (int k = 0; k < 4; k++) {
                data[(50 + 10) * 4 + k] += 1f;
            }
            m.restoreParameters(Map.of(name, new StrategyState.Tensor(t.shape(), data)));
            float[] after = m.predict(b).probabilities();
            for (int i = 0; i < 4; i++) {
                if (i == 1) {
                    assertFalse(java.util.Arrays.equals(slice(before, i), slice(after, i)));
                } else {
                    assertArrayEquals(slice(before, i), slice(after, i), 0f);
                }
            }
        }
    }

    @Test
    void trainsCopiesSavesAndStaysFlatInNativeMemory() throws Exception {
        int n = 1000;
        int[] y = new int[n];
        InputBatch data = rows(n, y, 7);
        try (AdaptiveModel m = model(11)) {
            TrainReport r = SupervisedTrainer.train(m, data.features(), new int[] {3}, y,
                    new TrainSettings(6, 50, 2e-2f, 1), null);
            assertTrue(r.finalEpochAccuracy() > 0.9, "accuracy " + r.finalEpochAccuracy());
            int[] ty = new int[200];
            InputBatch test = rows(200, ty, 8);
            int ok = 0;
            var out = m.predict(test);
            for (int i = 0; i < 200; i++) {
                ok += out.predictedClass(i) == ty[i] ? 1 : 0;
            }
            assertTrue(ok > 170, "held-out correct " + ok + "/200");
            try (AdaptiveModel c = m.copy()) {
                assertArrayEquals(out.probabilities(), c.predict(test).probabilities(), 0f);
            }
            Path f = dir.resolve("tab.params");
            m.saveParameters(f);
            try (AdaptiveModel fresh = model(99)) {
                fresh.loadParameters(f);
                assertArrayEquals(out.probabilities(), fresh.predict(test).probabilities(), 0f);
            }
            long base = m.liveArrayCount();
            for (int i = 0; i < 100; i++) {
                try (StepScope step = m.newStep()) {
                    m.forwardWithFeatures(step.manager(), test, ForwardMode.EVAL);
                }
                m.predict(test);
            }
            assertEquals(base, m.liveArrayCount());
        }
    }

    private static float[] slice(float[] p, int i) {
        return new float[] {p[i * 2], p[i * 2 + 1]};
    }
}
