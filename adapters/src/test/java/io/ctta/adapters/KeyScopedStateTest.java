package io.ctta.adapters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.KeyScopedState;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import io.ctta.runtime.train.SupervisedTrainer;
import io.ctta.runtime.train.TrainSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Key scope's promise, with real DJL tensors: one strategy serving two interleaved keys, its key
 * state captured and loaded at every switch, predicts bit for bit like two strategies each fed only
 * its own key's batches, and leaves the shared network's weights as they were.
 */
class KeyScopedStateTest {

    private static final int[] SHAPE = {1, 28, 28};
    private static final String ECOTTA_QUICK = "warmup { epochs = 2, batch-size = 32 }";
    private static Map<String, StrategyState.Tensor> weights;
    private static SourceData source;

    /** A briefly trained source model, so that adaptation has something to move. */
    @BeforeAll
    static void train() {
        int n = 256;
        int[] labels = new int[n];
        float[] x = TestData.images(n, labels, 11, 0f);
        source = new SourceData(x, SHAPE, labels);
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3)) {
            SupervisedTrainer.train(m, x, SHAPE, labels, new TrainSettings(1, 32, 3e-3f, 5), null);
            weights = m.snapshotParameters(ParameterSelector.all());
        }
    }

    private static AdaptiveModel model() {
        AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3);
        m.restoreParameters(weights);
        return m;
    }

    private static AdaptationStrategy create(String name, AdaptiveModel m) {
        String settings = name.equals("ecotta") ? ECOTTA_QUICK : "";
        return StrategyRegistry.load().create(name, new StrategyContext(m, ConfigFactory.parseString(settings), 7, source));
    }

    /** Key A sees images shifted by +40, key B by -30 (clamped at 0 by the values), in batches of 16 (one of 1). */
    private static List<Map.Entry<String, InputBatch>> interleaved() {
        String[] order = {"A", "B", "B", "A", "A", "B", "A", "B", "A", "B"};
        List<Map.Entry<String, InputBatch>> out = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            boolean a = order[i].equals("A");
            int n = i == 5 ? 1 : 16;
            float[] x = TestData.images(n, new int[n], 100 + i, a ? 40f : 0f);
            if (!a) {
                for (int j = 0; j < x.length; j++) {
                    x[j] = Math.max(0, x[j] * 0.5f);
                }
            }
            out.add(Map.entry(order[i], new InputBatch(n, SHAPE, x)));
        }
        return out;
    }

    @Test
    void tentSwappingTwoKeysEqualsTwoSeparateStrategies() {
        swappingEqualsSeparate("tent", true);
    }

    @Test
    void normSwappingTwoKeysEqualsTwoSeparateStrategies() {
        swappingEqualsSeparate("norm", false);
    }

    @Test
    void ecottaSwappingTwoKeysEqualsTwoSeparateStrategies() {
        swappingEqualsSeparate("ecotta", true);
    }

    private void swappingEqualsSeparate(String name, boolean adapts) {
        List<Map.Entry<String, InputBatch>> stream = interleaved();
        List<ModelOutput> swapped = new ArrayList<>();
        List<ModelOutput> separate = new ArrayList<>();
        List<ModelOutput> shared = new ArrayList<>();
        AdaptiveModel swappedModel = model();
        AdaptiveModel separateB = model();
        try (AdaptationStrategy one = create(name, swappedModel);
                AdaptationStrategy forA = create(name, model());
                AdaptationStrategy forB = create(name, separateB);
                AdaptationStrategy mixed = create(name, model())) {
            KeyScopedState keyed = one.keyScopedState().orElseThrow();
            Map<String, StrategyState> parked = new HashMap<>();
            String loaded = null;
            for (Map.Entry<String, InputBatch> e : stream) {
                String key = e.getKey();
                if (!key.equals(loaded)) {
                    if (loaded != null) {
                        parked.put(loaded, keyed.capture());
                    }
                    StrategyState s = parked.get(key);
                    if (s == null) {
                        keyed.resetToSource();
                    } else {
                        // Through the bytes a spilled state takes, so the encoding is exact too.
                        keyed.load(KeyScopedState.decode(KeyScopedState.encode(s)));
                    }
                    loaded = key;
                }
                swapped.add(one.predict(e.getValue()));
                separate.add((key.equals("A") ? forA : forB).predict(e.getValue()));
                shared.add(mixed.predict(e.getValue()));
            }
            boolean differsFromOneState = false;
            for (int i = 0; i < stream.size(); i++) {
                assertArrayEquals(separate.get(i).probabilities(), swapped.get(i).probabilities(), name + ": batch " + i);
                assertEquals(separate.get(i).modelVersion(), swapped.get(i).modelVersion(), name + ": version of batch " + i);
                differsFromOneState |= !java.util.Arrays.equals(shared.get(i).probabilities(), swapped.get(i).probabilities());
            }
            // Adapting strategies: one state for both keys predicts otherwise, so the comparison above could fail.
            assertEquals(adapts, differsFromOneState, name + ": per-key states change predictions");
            // B is loaded last: the whole network, shared weights included, equals B's own strategy's.
            Map<String, StrategyState.Tensor> a = swappedModel.snapshotParameters(ParameterSelector.all());
            Map<String, StrategyState.Tensor> b = separateB.snapshotParameters(ParameterSelector.all());
            assertEquals(b.keySet(), a.keySet());
            b.forEach((k, t) -> assertArrayEquals(t.data(), a.get(k).data(), name + ": parameter " + k));
            one.keyScopedState().orElseThrow().resetToSource();
            Map<String, StrategyState.Tensor> reset = swappedModel.snapshotParameters(ParameterSelector.all());
            weights.forEach((k, t) -> {
                if (reset.containsKey(k)) {
                    assertArrayEquals(t.data(), reset.get(k).data(), name + ": source parameter " + k + " after reset");
                }
            });
        }
    }

    @Test
    void exactlyTheStrategiesWithASmallStateOfferKeyScope() {
        StrategyRegistry registry = StrategyRegistry.load();
        Set<String> supporting = new TreeSet<>();
        for (String n : registry.names()) {
            if (registry.provider(n).supportsKeyScope()) {
                supporting.add(n);
            }
        }
        assertEquals(Set.of("ecotta", "norm", "source", "tent"), supporting);
        for (String n : List.of("source", "norm", "tent")) {
            try (AdaptationStrategy s = create(n, model())) {
                assertTrue(s.keyScopedState().isPresent(), n);
            }
        }
        try (AdaptationStrategy s = create("sgd", model())) {
            assertFalse(s.keyScopedState().isPresent(), "sgd adapts the whole network");
        }
    }

    @Test
    void theEncodingIsExactAndCountsBytes() {
        StrategyState s = new StrategyState("tent", 12, Map.of("param/w", new StrategyState.Tensor(new long[] {2, 2},
                new float[] {1.5f, -0f, Float.NaN, Float.MIN_VALUE})), Map.of("optimizer.steps", 12.0, "x", -0.0));
        StrategyState back = KeyScopedState.decode(KeyScopedState.encode(s));
        assertEquals(12, back.modelVersion());
        assertArrayEquals(new long[] {2, 2}, back.tensors().get("param/w").shape());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.tensors().get("param/w").data()[1]));
        assertTrue(Float.isNaN(back.tensors().get("param/w").data()[2]));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.scalars().get("x")));
        assertEquals(4 * 4 + 2 * 8, KeyScopedState.bytes(s));
    }
}
