package io.ctta.adapters.ecotta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import io.ctta.runtime.model.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.ctta.runtime.TorchScriptFixtures;

/** The partitioned network: frozen path, meta-network shapes, the forward formula and gradient paths. */
class EcottaNetworkTest {

    private static EcottaFixture fixture;

    @BeforeAll
    static void train() {
        fixture = EcottaFixture.create();
    }

    @Test
    void frozenPathIsBitIdenticalToTheModel() {
        InputBatch b = EcottaFixture.shifted(16, 21);
        try (AdaptiveModel m = fixture.model(); EcottaNetwork net = new EcottaNetwork(m, List.of(0, 4, 8), 1)) {
            float[] expected = m.predict(b).probabilities();
            try (StepScope step = m.newStep()) {
                float[] got = AdaptiveModel.toOutput(net.frozenLogits(step.manager(), b), 0, StepOutcome.none())
                        .probabilities();
                assertArrayEquals(expected, got, 0f);
            }
        }
    }

    @Test
    void metaNetworksFollowThePartitions() {
        try (AdaptiveModel m = fixture.model(); EcottaNetwork net = new EcottaNetwork(m, List.of(0, 4, 8), 1)) {
            assertEquals(2, net.partitionCount());
            Map<String, StrategyState.Tensor> s = net.snapshot();
            // Partition 1: 1x28x28 -> 16x14x14 (stride 2); partition 2: 16x14x14 -> 32x7x7 (stride 2).
            assertArrayEquals(new long[] {16, 1, 3, 3}, s.get("meta.1.conv.weight").shape());
            assertArrayEquals(new long[] {16}, s.get("meta.1.bn.gamma").shape());
            assertArrayEquals(new long[] {32, 16, 3, 3}, s.get("meta.2.conv.weight").shape());
            assertEquals(List.of("meta.1.conv.weight", "meta.1.conv_bn.gamma", "meta.1.conv_bn.beta", "meta.1.bn.gamma",
                    "meta.1.bn.beta"), net.trainableNamesOf(1));
            assertEquals(16 * 9 + 4 * 16 + 32 * 16 * 9 + 4 * 32, net.trainableParameterCount());
            assertEquals(18, s.size()); // 9 tensors per partition, running statistics included
            // Everything of the original model is frozen.
            m.namedParameters().forEach((k, p) -> assertTrue(!p.requiresGradient(), k));
        }
        try (AdaptiveModel m = fixture.model(); EcottaNetwork net = new EcottaNetwork(m, List.of(0, 4, 8, 11), 1)) {
            // The default: a third, dense partition (flatten, linear 64, BN) with a dense branch.
            Map<String, StrategyState.Tensor> s = net.snapshot();
            assertEquals(3, net.partitionCount());
            assertArrayEquals(new long[] {64, 32 * 7 * 7}, s.get("meta.3.dense.weight").shape());
            assertArrayEquals(new long[] {64}, s.get("meta.3.dense_bn.gamma").shape());
            assertArrayEquals(new long[] {64}, s.get("meta.3.bn.running_var").shape());
            assertEquals(16 * 9 + 4 * 16 + 32 * 16 * 9 + 4 * 32 + 64 * 1568 + 4 * 64, net.trainableParameterCount());
        }
        try (AdaptiveModel m = fixture.model(); EcottaNetwork net = new EcottaNetwork(m, List.of(1, 2, 4, 6, 8), 1)) {
            Map<String, StrategyState.Tensor> s = net.snapshot();
            assertEquals(4, net.partitionCount());
            assertArrayEquals(new long[] {16, 16, 3, 3}, s.get("meta.1.conv.weight").shape()); // BN1 only, stride 1
            assertArrayEquals(new long[] {16, 16, 3, 3}, s.get("meta.2.conv.weight").shape()); // ReLU+pool, stride 2
            assertArrayEquals(new long[] {32, 16, 3, 3}, s.get("meta.3.conv.weight").shape()); // conv2+BN2
            assertArrayEquals(new long[] {32, 32, 3, 3}, s.get("meta.4.conv.weight").shape()); // ReLU+pool
        }
    }

    @Test
    void partitionsThatDoNotFitAreRejectedNamingTheKey() {
        for (Object[] c : new Object[][] {
                {List.of(0, 4, 13), "strategies.ecotta.partitions must end at stage 12 or earlier"},
                {List.of(4), "strategies.ecotta.partitions must hold at least two boundaries"},
                {List.of(0, 4, 4), "strategies.ecotta.partitions must be strictly increasing"}}) {
            @SuppressWarnings("unchecked")
            List<Integer> parts = (List<Integer>) c[0];
            try (AdaptiveModel m = fixture.model()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new EcottaNetwork(m, parts, 1));
                assertTrue(e.getMessage().startsWith((String) c[1]), e.getMessage());
            }
        }
    }

    @Test
    void aTorchScriptModelWithStageMethodsIsPartitionedLikeTheBuiltInOne() {
        InputBatch b = EcottaFixture.shifted(8, 23);
        try (AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt");
                AdaptiveModel builtin = TorchScriptFixtures.builtinCnn();
                EcottaNetwork a = new EcottaNetwork(twin, List.of(0, 4, 8, 11), 1);
                EcottaNetwork c = new EcottaNetwork(builtin, List.of(), 1)) {
            assertEquals(List.of(0, 4, 8, 11), c.partitions(), "the built-in CNN's default");
            assertEquals(a.snapshot().keySet(), c.snapshot().keySet());
            a.snapshot().forEach((k, v) -> assertArrayEquals(v.shape(), c.snapshot().get(k).shape(), k));
            try (StepScope s1 = twin.newStep(); StepScope s2 = builtin.newStep()) {
                assertArrayEquals(builtin.predict(b).probabilities(),
                        AdaptiveModel.toOutput(a.frozenLogits(s1.manager(), b), 0, StepOutcome.none()).probabilities(), 1e-4f);
                float[] x = a.forward(s1.manager(), b, EcottaNetwork.MetaMode.BATCH_STATS).logits().toFloatArray();
                float[] y = c.forward(s2.manager(), b, EcottaNetwork.MetaMode.BATCH_STATS).logits().toFloatArray();
                assertArrayEquals(y, x, 2e-3f);
            }
        }
        try (AdaptiveModel rgb = TorchScriptFixtures.model("resnet-rgb.pt"); EcottaNetwork n = new EcottaNetwork(rgb, List.of(), 1)) {
            assertEquals(List.of(1, 2, 3, 4, 5), n.partitions(), "stem = stage 1, then one partition per stage");
            assertEquals(4, n.partitionCount());
        }
    }

    @Test
    void aTorchScriptModelWithoutStagesIsRefusedSayingHowToExportThem() {
        try (AdaptiveModel seq = TorchScriptFixtures.model("cnn-sequential.pt")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new EcottaNetwork(seq, List.of(), 1));
            assertTrue(e.getMessage().startsWith("ecotta runs the frozen model partition by partition, but model"
                    + " cnn-sequential-v1 cannot be run stage by stage"), e.getMessage());
            assertTrue(e.getMessage().contains("stage1(x), stage2(a), ... and classify(f) with @torch.jit.export"),
                    e.getMessage());
        }
    }

    @Test
    void partitionOutputIsMetaBatchNormOfFrozenOutputPlusConvBranch() {
        InputBatch b = EcottaFixture.shifted(8, 22);
        try (AdaptiveModel m = fixture.model(); EcottaNetwork net = new EcottaNetwork(m, List.of(0, 4, 8), 1)) {
            // G_1 = ReLU(BN(conv(a, 0))) = ReLU(β_conv) = 0 and BN_1 with γ = 2, β = 1:
            // a_1 = 2 · (o_1 − mean_batch) / sqrt(var_batch + 1e-5) + 1, per channel.
            Map<String, StrategyState.Tensor> s = new LinkedHashMap<>(net.snapshot());
            s.put("meta.1.conv.weight", filled(s.get("meta.1.conv.weight"), 0f));
            s.put("meta.1.bn.gamma", filled(s.get("meta.1.bn.gamma"), 2f));
            s.put("meta.1.bn.beta", filled(s.get("meta.1.bn.beta"), 1f));
            net.restore(s);
            try (StepScope step = m.newStep()) {
                EcottaNetwork.Forward f = net.forward(step.manager(), b, EcottaNetwork.MetaMode.BATCH_STATS);
                float[] o = f.frozenOutputs().get(0).toFloatArray();
                float[] a = f.partitionInputs().get(1).toFloatArray();
                int channels = 16;
                int plane = 14 * 14;
                for (int c = 0; c < channels; c++) {
                    double mean = 0;
                    for (int i = 0; i < 8; i++) {
                        for (int p = 0; p < plane; p++) {
                            mean += o[(i * channels + c) * plane + p];
                        }
                    }
                    mean /= 8 * plane;
                    double var = 0;
                    for (int i = 0; i < 8; i++) {
                        for (int p = 0; p < plane; p++) {
                            double d = o[(i * channels + c) * plane + p] - mean;
                            var += d * d;
                        }
                    }
                    var /= 8 * plane;
                    for (int i = 0; i < 8; i++) {
                        for (int p = 0; p < plane; p += 37) {
                            int at = (i * channels + c) * plane + p;
                            assertEquals(2 * (o[at] - mean) / Math.sqrt(var + 1e-5) + 1, a[at], 1e-3, "channel " + c);
                        }
                    }
                }
                // With a zero branch and BN_1 = identity-free, the regulariser is mean |a_1 − o_1|.
                double expected = 0;
                for (int i = 0; i < o.length; i++) {
                    expected += Math.abs(a[i] - o[i]);
                }
                assertEquals(expected / o.length, net.regularizer(f, 0).getFloat(), 1e-4);
            }
        }
    }

    @Test
    void entropyGradientReachesEveryMetaNetwork() {
        try (AdaptiveModel m = fixture.model(); EcottaNetwork net = new EcottaNetwork(m, List.of(0, 2, 4, 8, 11), 1)) {
            Map<String, Double> mass = gradientMass(net, m, f -> EcottaLosses.filteredMeanEntropy(f.logits(), 100).loss());
            for (int k = 1; k <= 4; k++) {
                for (String n : net.trainableNamesOf(k)) {
                    assertTrue(mass.get(n) > 0, "no entropy gradient for " + n + ": " + mass);
                }
            }
        }
    }

    @Test
    void regularizerOfPartitionKUpdatesOnlyMetaNetworkK() {
        try (AdaptiveModel m = fixture.model(); EcottaNetwork net = new EcottaNetwork(m, List.of(0, 4, 8, 11), 1)) {
            for (int k = 0; k < 3; k++) {
                int part = k;
                Map<String, Double> mass = gradientMass(net, m, f -> net.regularizer(f, part));
                for (String n : net.trainableNames()) {
                    boolean own = n.startsWith("meta." + (part + 1) + ".");
                    if (own) {
                        assertTrue(mass.get(n) > 0, "R_" + (part + 1) + " gives no gradient to " + n);
                    } else {
                        assertEquals(0.0, mass.get(n), 0.0, "R_" + (part + 1) + " leaks into " + n);
                    }
                }
            }
        }
    }

    private static Map<String, Double> gradientMass(EcottaNetwork net, AdaptiveModel m,
            java.util.function.Function<EcottaNetwork.Forward, NDArray> loss) {
        Map<String, Double> out = new LinkedHashMap<>();
        try (StepScope step = m.newStep()) {
            try (GradientGate.Session s = GradientGate.create().open()) {
                EcottaNetwork.Forward f = net.forward(step.manager(), EcottaFixture.shifted(16, 23),
                        EcottaNetwork.MetaMode.BATCH_STATS);
                s.backward(loss.apply(f));
            }
            List<NDArray> grads = MetaWarmUp.gradients(net.trainable());
            for (int i = 0; i < grads.size(); i++) {
                out.put(net.trainableNames().get(i), Gradients.absSum(new ArrayList<>(List.of(grads.get(i)))));
            }
            Gradients.zero(grads);
        }
        return out;
    }

    private static StrategyState.Tensor filled(StrategyState.Tensor t, float v) {
        float[] d = new float[t.data().length];
        java.util.Arrays.fill(d, v);
        return new StrategyState.Tensor(t.shape(), d);
    }
}
