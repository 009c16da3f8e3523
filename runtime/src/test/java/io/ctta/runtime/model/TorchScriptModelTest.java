package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import io.ctta.runtime.TestData;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.memory.StepScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TorchScript modules through {@link AdaptiveModel}: the twin of the built-in CNN computes what
 * the built-in model computes in every mode, its structure is read from the file, running
 * statistics survive batch-statistics forwards (with a backward pass in between), dropout stays
 * off, and gradients flow through eval-mode forwards.
 */
class TorchScriptModelTest {

    private static float[] logits(AdaptiveModel m, InputBatch b, ForwardMode mode) {
        try (StepScope step = m.newStep()) {
            return m.forward(step.manager(), b, mode).head().toFloatArray();
        }
    }

    @Test
    void twinComputesWhatTheBuiltInModelComputesInEveryMode() {
        InputBatch batch = new InputBatch(16, new int[] {1, 28, 28}, TestData.images(16, new int[16], 3, 40f));
        try (AdaptiveModel builtin = TorchScriptFixtures.builtinCnn();
                AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt")) {
            assertArrayEquals(logits(builtin, batch, ForwardMode.EVAL), logits(twin, batch, ForwardMode.EVAL), 2e-4f);
            float[] stats = logits(twin, batch, ForwardMode.BATCH_STATS);
            assertArrayEquals(logits(builtin, batch, ForwardMode.BATCH_STATS), stats, 2e-4f);
            // Dropout (p = 0.5) before the head stays off with batch statistics: the same answer twice.
            assertArrayEquals(stats, logits(twin, batch, ForwardMode.BATCH_STATS), 0f);
            assertFalse(java.util.Arrays.equals(stats, logits(twin, batch, ForwardMode.EVAL)),
                    "batch statistics must change the output");
            try (StepScope a = builtin.newStep(); StepScope b = twin.newStep()) {
                NDList x = builtin.forwardWithFeatures(a.manager(), batch, ForwardMode.EVAL);
                NDList y = twin.forwardWithFeatures(b.manager(), batch, ForwardMode.EVAL);
                assertArrayEquals(x.get(0).toFloatArray(), y.get(0).toFloatArray(), 2e-4f);
                assertArrayEquals(x.get(1).toFloatArray(), y.get(1).toFloatArray(), 2e-4f);
            }
        }
    }

    @Test
    void aPyTorch2ExportComputesWhatTheTorch113ExportComputes() {
        // cnn-twin-torch2.pt: the same module and weights saved by PyTorch 2.13 (its classes live under
        // the exporting script's module name and carry mangled names); the runtime's libtorch is older.
        InputBatch batch = new InputBatch(16, new int[] {1, 28, 28}, TestData.images(16, new int[16], 6, 40f));
        try (AdaptiveModel old = TorchScriptFixtures.model("cnn-twin.pt");
                AdaptiveModel torch2 = TorchScriptFixtures.model("cnn-twin-torch2.pt")) {
            assertEquals(old.parameterNames(ParameterSelector.batchNormAffine()),
                    torch2.parameterNames(ParameterSelector.batchNormAffine()));
            assertEquals(old.stages().count(), torch2.stages().count());
            assertArrayEquals(logits(old, batch, ForwardMode.EVAL), logits(torch2, batch, ForwardMode.EVAL), 1e-5f);
            assertArrayEquals(logits(old, batch, ForwardMode.BATCH_STATS), logits(torch2, batch, ForwardMode.BATCH_STATS), 1e-5f);
            try (StepScope a = old.newStep(); StepScope b = torch2.newStep()) {
                assertArrayEquals(old.forward(a.manager(), batch, ForwardMode.BATCH_STATS, 0.1f).head().toFloatArray(),
                        torch2.forward(b.manager(), batch, ForwardMode.BATCH_STATS, 0.1f).head().toFloatArray(), 1e-5f);
                assertArrayEquals(old.forwardWithFeatures(a.manager(), batch, ForwardMode.EVAL).get(0).toFloatArray(),
                        torch2.forwardWithFeatures(b.manager(), batch, ForwardMode.EVAL).get(0).toFloatArray(), 1e-5f);
            }
            // Running statistics are untouched by the batch-statistics forwards.
            assertArrayEquals(logits(old, batch, ForwardMode.EVAL), logits(torch2, batch, ForwardMode.EVAL), 1e-5f);
        }
    }

    @Test
    void plasticityProbesMeasureTheTwinAsTheyMeasureTheBuiltInModel() {
        InputBatch batch = new InputBatch(32, new int[] {1, 28, 28}, TestData.images(32, new int[32], 5, 40f));
        try (AdaptiveModel builtin = TorchScriptFixtures.builtinCnn();
                AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt")) {
            io.ctta.runtime.diagnostics.Plasticity.Probe a = io.ctta.runtime.diagnostics.Plasticity.probe(builtin, batch);
            io.ctta.runtime.diagnostics.Plasticity.Probe b = io.ctta.runtime.diagnostics.Plasticity.probe(twin, batch);
            assertEquals(a.featureDim(), b.featureDim());
            assertEquals(a.deadUnitFraction(), b.deadUnitFraction(), 1e-9);
            assertEquals(a.srank(), b.srank());
            assertEquals(a.effectiveRank(), b.effectiveRank(), 1e-3);
            assertEquals(a.meanWeightMagnitude(), b.meanWeightMagnitude(), 1e-6);
            assertTrue(a.effectiveRank() > 1, "a trained CNN's features span more than one direction");
        }
    }

    @Test
    void bnAlphaMixesTheSameStatisticsOnTheTwinAsOnTheBuiltInModel() {
        InputBatch batch = new InputBatch(16, new int[] {1, 28, 28}, TestData.images(16, new int[16], 8, 40f));
        try (AdaptiveModel builtin = TorchScriptFixtures.builtinCnn();
                AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt")) {
            assertTrue(twin.supportsMixedStatistics());
            Map<String, StrategyState.Tensor> before = twin.snapshotParameters(ParameterSelector.all());
            float[] expected;
            float[] got;
            float[] stats;
            try (StepScope a = builtin.newStep(); StepScope b = twin.newStep()) {
                expected = builtin.forward(a.manager(), batch, ForwardMode.BATCH_STATS, 0.1f).head().toFloatArray();
                got = twin.forward(b.manager(), batch, ForwardMode.BATCH_STATS, 0.1f).head().toFloatArray();
                stats = twin.forward(b.manager(), batch, ForwardMode.BATCH_STATS).head().toFloatArray();
            }
            assertArrayEquals(expected, got, 2e-3f);
            assertFalse(java.util.Arrays.equals(got, stats), "BN-alpha is not BN-1");
            assertFalse(java.util.Arrays.equals(got, logits(twin, batch, ForwardMode.EVAL)), "BN-alpha is not eval");
            Map<String, StrategyState.Tensor> after = twin.snapshotParameters(ParameterSelector.all());
            before.forEach((k, v) -> assertArrayEquals(v.data(), after.get(k).data(), 0f, k + " changed"));
        }
    }

    @Test
    void stagesChainToTheEvalLogits() {
        InputBatch batch = TestData.batch(4, 5);
        try (AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt");
                AdaptiveModel builtin = TorchScriptFixtures.builtinCnn()) {
            for (AdaptiveModel m : List.of(twin, builtin)) {
                ModelStages stages = m.stages();
                assertEquals(12, stages.count());
                try (StepScope step = m.newStep()) {
                    NDArray a = m.preprocessedInput(step.manager(), batch);
                    for (int k = 1; k <= stages.count(); k++) {
                        a = stages.run(k, a);
                    }
                    assertArrayEquals(logits(m, batch, ForwardMode.EVAL), stages.classify(a).toFloatArray(), 1e-5f);
                }
            }
        }
    }

    @Test
    void normalisationLayersAndBuffersAreFoundFromTheModuleTreeWhateverTheirNames() {
        try (AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt");
                AdaptiveModel seq = TorchScriptFixtures.model("cnn-sequential.pt");
                AdaptiveModel mlp = TorchScriptFixtures.model("mlp-no-bn.pt")) {
            assertEquals(List.of("bn1.weight", "bn1.bias", "bn2.weight", "bn2.bias", "bn3.weight", "bn3.bias"),
                    twin.parameterNames(ParameterSelector.batchNormAffine()));
            assertEquals(List.of("1.weight", "1.bias", "5.weight", "5.bias", "10.weight", "10.bias"),
                    seq.parameterNames(ParameterSelector.batchNormAffine()));
            assertEquals(List.of("1.running_mean", "1.running_var", "5.running_mean", "5.running_var",
                    "10.running_mean", "10.running_var"), seq.parameterNames(ParameterSelector::isRunningStatistic));
            assertEquals(Parameter.Type.OTHER, seq.namedParameters().get("1.num_batches_tracked").getType());
            assertTrue(mlp.parameterNames(ParameterSelector.batchNormAffine()).isEmpty());
            assertEquals(List.of("13.weight", "13.bias"), seq.parameterNames(ParameterSelector.lastLayer()));
            assertEquals(java.util.Set.of("forward", "__len__"), new java.util.HashSet<>(seq.exportedMethods()));
            assertTrue(twin.exportedMethods().containsAll(List.of("forward", "features", "classify", "stage1", "stage12")));
            try (AdaptiveModel builtin = TorchScriptFixtures.builtinCnn()) {
                assertNull(builtin.torchScriptArchive());
            }
        }
    }

    @Test
    void everyKindOfStepLeavesNoArrayBehind() {
        InputBatch batch = TestData.batch(8, 3);
        GradientGate gate = GradientGate.create();
        try (AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt")) {
            twin.trainOnly(ParameterSelector.batchNormAffine());
            Map<String, StrategyState.Tensor> stats = twin.snapshotParameters(ParameterSelector::isRunningStatistic);
            long base = -1;
            for (int round = 0; round < 4; round++) {
                try (StepScope step = twin.newStep()) {
                    twin.forward(step.manager(), batch, ForwardMode.EVAL);
                    twin.forward(step.manager(), batch, ForwardMode.BATCH_STATS, 0.3f);
                    twin.forwardWithFeatures(step.manager(), batch, ForwardMode.EVAL);
                    ModelStages stages = twin.stages();
                    NDArray a = twin.preprocessedInput(step.manager(), batch);
                    for (int k = 1; k <= stages.count(); k++) {
                        a = stages.run(k, a);
                    }
                    stages.classify(a);
                    try (GradientGate.Session s = gate.open()) {
                        s.backward(twin.forward(step.manager(), batch, ForwardMode.BATCH_STATS).head().sum());
                    }
                }
                if (round == 0) {
                    base = twin.liveArrayCount(); // gradients exist from the first backward on
                }
                assertEquals(base, twin.liveArrayCount(), "round " + round);
            }
            Map<String, StrategyState.Tensor> after = twin.snapshotParameters(ParameterSelector::isRunningStatistic);
            stats.forEach((k, v) -> assertArrayEquals(v.data(), after.get(k).data(), 0f, k));
        }
    }

    @Test
    void runningStatisticsSurviveBatchStatisticsForwardsAndTheirBackwardPass() {
        InputBatch batch = TestData.batch(16, 2);
        GradientGate gate = GradientGate.create();
        try (AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt")) {
            Map<String, StrategyState.Tensor> before = twin.snapshotParameters(ParameterSelector::isRunningStatistic);
            assertEquals(6, before.size());
            float[] eval = logits(twin, batch, ForwardMode.EVAL);
            twin.trainOnly(ParameterSelector.batchNormAffine());
            try (StepScope step = twin.newStep()) {
                try (GradientGate.Session s = gate.open()) {
                    NDArray a = twin.forward(step.manager(), batch, ForwardMode.BATCH_STATS).head();
                    NDArray b = twin.forward(step.manager(), TestData.batch(16, 9), ForwardMode.BATCH_STATS).head();
                    s.backward(a.sum().add(b.sum()));
                }
                NDArray g = twin.namedParameters().get("bn1.weight").getArray().getGradient();
                assertNotEquals(0f, g.abs().sum().getFloat(), "the backward pass reached BN's affine parameters");
            }
            Map<String, StrategyState.Tensor> after = twin.snapshotParameters(ParameterSelector::isRunningStatistic);
            before.forEach((k, v) -> assertArrayEquals(v.data(), after.get(k).data(), 0f, k));
            assertArrayEquals(eval, logits(twin, batch, ForwardMode.EVAL), 0f);
        }
    }

    @Test
    void trainModeUpdatesRunningStatisticsAndGradientsFlowThroughEvalForwards() {
        InputBatch batch = TestData.batch(8, 4);
        GradientGate gate = GradientGate.create();
        try (AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt")) {
            Map<String, StrategyState.Tensor> before = twin.snapshotParameters(ParameterSelector::isRunningStatistic);
            try (StepScope step = twin.newStep()) {
                try (GradientGate.Session s = gate.open()) {
                    // Eval mode (running statistics) with gradients: continual learning at small batches.
                    s.backward(twin.forward(step.manager(), batch, ForwardMode.EVAL).head().sum());
                }
                NDArray g = twin.namedParameters().get("conv1.weight").getArray().getGradient();
                assertNotEquals(0f, g.abs().sum().getFloat());
            }
            assertArrayEquals(before.get("bn1.running_mean").data(),
                    twin.snapshotParameters(ParameterSelector::isRunningStatistic).get("bn1.running_mean").data(), 0f);
            try (StepScope step = twin.newStep()) {
                twin.forward(step.manager(), batch, ForwardMode.TRAIN);
            }
            assertFalse(java.util.Arrays.equals(before.get("bn1.running_mean").data(),
                    twin.snapshotParameters(ParameterSelector::isRunningStatistic).get("bn1.running_mean").data()));
        }
    }

    @Test
    void snapshotsAndCopiesCarryRunningStatistics() {
        InputBatch batch = TestData.batch(8, 6);
        try (AdaptiveModel twin = TorchScriptFixtures.model("cnn-twin.pt")) {
            try (StepScope step = twin.newStep()) {
                twin.forward(step.manager(), batch, ForwardMode.TRAIN); // moves the running statistics
            }
            Map<String, StrategyState.Tensor> moved = twin.snapshotParameters(ParameterSelector.all());
            try (AdaptiveModel copy = twin.copy(); AdaptiveModel fresh = TorchScriptFixtures.model("cnn-twin.pt")) {
                assertArrayEquals(logits(twin, batch, ForwardMode.EVAL), logits(copy, batch, ForwardMode.EVAL), 0f);
                assertFalse(java.util.Arrays.equals(logits(twin, batch, ForwardMode.EVAL),
                        logits(fresh, batch, ForwardMode.EVAL)));
                fresh.restoreParameters(moved);
                assertArrayEquals(logits(twin, batch, ForwardMode.EVAL), logits(fresh, batch, ForwardMode.EVAL), 0f);
            }
        }
    }

    @Test
    void aModuleWithoutSplitMethodsSaysHowToExportThem() {
        try (AdaptiveModel seq = TorchScriptFixtures.model("cnn-sequential.pt"); StepScope step = seq.newStep()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> seq.forwardWithFeatures(step.manager(), TestData.batch(2, 1), ForwardMode.EVAL));
            assertTrue(e.getMessage().contains("exports no features(x) and classify(f) methods"), e.getMessage());
            assertTrue(e.getMessage().contains("@torch.jit.export"), e.getMessage());
            UnsupportedOperationException s = assertThrows(UnsupportedOperationException.class, seq::stages);
            assertTrue(s.getMessage().contains("stage1(x), stage2(a), ..."), s.getMessage());
        }
    }

    @Test
    void aTruncatedFileIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(TorchScriptFixtures.file("cnn-twin.pt"));
        Path cut = dir.resolve("cut.pt");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.copy(TorchScriptFixtures.file("cnn-twin.pt.json"), dir.resolve("cut.pt.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveModel.create(ModelSpec.torchScript(cut), Device.CPU, 1).close());
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }

    @Test
    void codeLibtorchCannotCompileIsBlamedOnTheFileNotOnCtta(@TempDir Path dir) throws IOException {
        // The archive parses (module tree, pickles) but its code does not compile: libtorch's own
        // first error line is reported, not a complaint about the methods ctta adds.
        Path broken = rewrittenTwin(dir.resolve("broken.pt"), (name, code) -> name.endsWith("code/__torch__.py")
                ? code + "\ndef broken(x :\n" : code);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveModel.create(ModelSpec.torchScript(broken), Device.CPU, 1).close());
        assertTrue(e.getMessage().startsWith("libtorch cannot load TorchScript model " + broken), e.getMessage());
        assertFalse(e.getMessage().contains("accessor methods"), e.getMessage());
    }

    @Test
    void bnAlphaIsRefusedForBatchNormLayersWithMomentumZero(@TempDir Path dir) throws IOException {
        Path frozen = rewrittenTwin(dir.resolve("frozen.pt"), (name, code) -> code.replace(
                "momentum : Final[float] = 0.10000000000000001", "momentum : Final[float] = 0."));
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.torchScript(frozen), Device.CPU, 1); StepScope step = m.newStep()) {
            assertFalse(m.supportsMixedStatistics());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> m.forward(step.manager(), TestData.batch(4, 1), ForwardMode.BATCH_STATS, 0.5f));
            assertTrue(e.getMessage().contains("its BatchNorm layer bn1 has momentum 0"), e.getMessage());
            assertEquals(10, m.forward(step.manager(), TestData.batch(4, 1), ForwardMode.BATCH_STATS).head().getShape().get(1));
        }
    }

    /** cnn-twin.pt with its code files edited by {@code edit(entry name, text)}, and its description beside it. */
    private static Path rewrittenTwin(Path out, java.util.function.BinaryOperator<String> edit) throws IOException {
        try (ZipFile in = new ZipFile(TorchScriptFixtures.file("cnn-twin.pt").toFile());
                ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] body;
                try (InputStream body0 = in.getInputStream(e)) {
                    body = body0.readAllBytes();
                }
                if (e.getName().endsWith(".py")) {
                    body = edit.apply(e.getName(), new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(body);
                zip.closeEntry();
            }
        }
        Files.copy(TorchScriptFixtures.file("cnn-twin.pt.json"), out.resolveSibling(out.getFileName() + ".json"));
        return out;
    }
}
