package io.ctta.adapters.ecotta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ParameterSelector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strategy: warm-up and its cache, the per-batch step, outcomes, state and native memory. */
class EcottaStrategyTest {

    /** A short warm-up (3 epochs of 12 minibatches) so each creation takes a fraction of a second. */
    private static final String QUICK = "warmup { epochs = 3, batch-size = 32 }";

    private static EcottaFixture fixture;

    /** Holds the one warm-up most tests share, so each of them starts in milliseconds. */
    @TempDir
    static Path sharedCache;

    @BeforeAll
    static void trainAndWarmUpOnce() {
        fixture = EcottaFixture.create();
        try (EcottaStrategy s = create(QUICK + ", cache-dir = \"" + slashes(sharedCache) + "\"", fixture.source)) {
            assertFalse(s.warmUp().fromCache());
        }
    }

    private static String slashes(Path p) {
        return p.toString().replace("\\", "/");
    }

    private static EcottaStrategy create(String settings, SourceData source) {
        AdaptiveModel m = fixture.model();
        try {
            return EcottaStrategy.create(m, EcottaSettings.fromConfig(ConfigFactory.parseString(settings)), 7, source,
                    GradientGate.shared());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * A strategy with the shared warm-up ({@code settings} must not change the warm-up key: lr,
     * lambda, the filter and the optimizer are not part of it).
     */
    private static EcottaStrategy create(String settings) {
        EcottaStrategy s = create(QUICK + ", cache-dir = \"" + slashes(sharedCache) + "\", " + settings, null);
        assertTrue(s.warmUp().fromCache());
        return s;
    }

    @Test
    void registeredAsEcottaAndBuiltFromTheContext() {
        StrategyRegistry registry = StrategyRegistry.load();
        assertTrue(registry.names().contains("ecotta"));
        try (AdaptationStrategy s = registry.create("ecotta", new StrategyContext(fixture.model(),
                ConfigFactory.parseString(QUICK), 7, fixture.source))) {
            assertEquals("ecotta", s.name());
            assertEquals(36, ((EcottaStrategy) s).warmUp().steps());
        }
    }

    @Test
    void settingsAreValidatedNamingTheKey() {
        for (String[] c : new String[][] {
                {"lr = -1", "invalid setting 'strategies.ecotta.lr' = -1.0: expected > 0"},
                {"lambda = -0.5", "invalid setting 'strategies.ecotta.lambda' = -0.5: expected >= 0"},
                {"entropy-factor = 0", "invalid setting 'strategies.ecotta.entropy-factor' = 0.0: expected > 0"},
                {"optimizer = rmsprop", "invalid setting 'strategies.ecotta.optimizer' = \"rmsprop\": expected one of sgd, adam"},
                {"momentum = 1", "invalid setting 'strategies.ecotta.momentum' = 1.0: expected in [0, 1)"},
                {"warmup.epochs = 0", "invalid setting 'strategies.ecotta.warmup.epochs' = 0: expected >= 1"},
                {"warmup.epochs = 1.5", "invalid setting 'strategies.ecotta.warmup.epochs' = 1.5: expected an integer"},
                {"warmup.batch-size = 1", "invalid setting 'strategies.ecotta.warmup.batch-size' = 1: expected >= 2"
                        + " (BatchNorm needs batch statistics)"},
                {"warmup.augment = sometimes", "invalid setting 'strategies.ecotta.warmup.augment' = \"sometimes\": expected true or false"},
                {"partitions = [0, x]", "invalid setting 'strategies.ecotta.partitions' = [0, x]: expected a list of"
                        + " integers (stage boundaries, e.g. [0, 4, 8, 11])"},
                {"partitions = [4, 2]", "invalid setting 'strategies.ecotta.partitions' = [4, 2]: expected strictly"
                        + " increasing non-negative stage numbers"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EcottaSettings.fromConfig(ConfigFactory.parseString(c[0])), c[0]);
            assertEquals(c[1], e.getMessage());
        }
        EcottaSettings d = EcottaSettings.fromConfig(ConfigFactory.empty());
        assertEquals(EcottaSettings.defaults(), d);
        assertEquals(5e-4, d.lr());
        assertEquals(0.5, d.lambda());
        assertEquals(List.of(), d.partitions(), "the model's default: [0, 4, 8, 11] for the built-in CNN (EcottaNetworkTest)");
        assertEquals(10, d.warmupEpochs());
        assertEquals(5e-2, d.warmupLr());
        assertEquals("", d.cacheDir());
    }

    @Test
    void withoutSourceDataOrCacheItFailsSayingWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create(QUICK, null));
        assertTrue(e.getMessage().startsWith("ecotta needs labelled source data once, to warm up its meta networks"),
                e.getMessage());
        assertTrue(e.getMessage().contains("strategies.ecotta.cache-dir is not set"), e.getMessage());
    }

    @Test
    void warmUpTrainsTheMetaNetworksToMatchTheSourceModel() {
        int n = 128;
        int[] labels = new int[n];
        InputBatch clean = new InputBatch(n, EcottaFixture.SHAPE, TestData.images(n, labels, 31, 0f));
        try (EcottaStrategy s = create(QUICK, fixture.source); AdaptiveModel source = fixture.model()) {
            EcottaStrategy.WarmUp w = s.warmUp();
            assertFalse(w.fromCache());
            assertEquals(36, w.steps());
            assertNull(w.cacheFile());
            assertTrue(w.finalEpochAccuracy() > 0.9, "warm-up accuracy " + w.finalEpochAccuracy());
            double sourceAcc = accuracy(source.predict(clean), labels);
            double ecoAcc = accuracy(s.predict(clean), labels);
            assertTrue(sourceAcc > 0.9, "source " + sourceAcc);
            assertTrue(ecoAcc >= sourceAcc - 0.05, "ecotta " + ecoAcc + " vs source " + sourceAcc);
        }
    }

    @Test
    void adaptationChangesOnlyTheMetaNetworksAndLowersItsLoss() {
        try (EcottaStrategy s = create("lr = 0.02")) {
            AdaptiveModel frozen = fixture.model();
            Map<String, StrategyState.Tensor> source = frozen.snapshotParameters(ParameterSelector.all());
            frozen.close();
            Map<String, StrategyState.Tensor> warm = s.snapshot().tensors();
            InputBatch b = EcottaFixture.shifted(32, 41);
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 15; i++) {
                ModelOutput out = s.predict(b);
                assertEquals(StepOutcome.Kind.APPLIED, out.step().kind(), out.step().detail());
                assertEquals("kept=32/32", out.step().detail());
                assertEquals(i, out.modelVersion());
                first = i == 0 ? out.step().loss() : first;
                last = out.step().loss();
            }
            assertEquals(15, s.modelVersion());
            assertTrue(last < first, "loss " + first + " -> " + last);
            assertEquals(1.0, s.lastKeptFraction());
            // The frozen network, BN running statistics included, is bit-identical ...
            modelOf(s).snapshotParameters(ParameterSelector.all()).forEach((k, v) ->
                    assertArrayEquals(source.get(k).data(), v.data(), 0f, k));
            // ... and every trainable meta tensor moved.
            Map<String, StrategyState.Tensor> now = s.snapshot().tensors();
            for (String k : warm.keySet()) {
                if (k.startsWith("param/") && !k.contains("running")) {
                    assertFalse(Arrays.equals(warm.get(k).data(), now.get(k).data()), k + " did not change");
                }
            }
        }
        // Without the regulariser the steps minimise the filtered entropy alone.
        try (EcottaStrategy s = create("lr = 0.02, lambda = 0")) {
            InputBatch b = EcottaFixture.shifted(32, 41);
            double first = meanEntropy(s.predict(b));
            double last = first;
            for (int i = 0; i < 14; i++) {
                last = meanEntropy(s.predict(b));
            }
            assertTrue(last < first, "entropy " + first + " -> " + last);
        }
    }

    @Test
    void snapshotRestoreContinuesExactlyAndResetReturnsToTheWarmedUpState() {
        InputBatch b1 = EcottaFixture.shifted(16, 51);
        InputBatch b2 = EcottaFixture.shifted(16, 52);
        InputBatch b3 = EcottaFixture.shifted(16, 53);
        try (EcottaStrategy a = create(""); EcottaStrategy b = create("")) {
            float[] start = a.predict(b1).probabilities();
            a.predict(b2);
            StrategyState st = a.snapshot();
            assertEquals(2, st.modelVersion());
            assertTrue(st.tensors().containsKey("opt/sgd.momentum/meta.1.conv.weight"));
            assertTrue(st.tensors().containsKey("param/meta.2.bn.running_var"));
            ModelOutput expected3 = a.predict(b3);
            ModelOutput expected1 = a.predict(b1);
            b.predict(b3); // move b away first, then restore
            b.restore(st);
            assertEquals(2, b.modelVersion());
            assertArrayEquals(expected3.probabilities(), b.predict(b3).probabilities(), 0f);
            assertArrayEquals(expected1.probabilities(), b.predict(b1).probabilities(), 0f);
            assertArrayEquals(a.snapshot().tensors().get("param/meta.1.conv.weight").data(),
                    b.snapshot().tensors().get("param/meta.1.conv.weight").data(), 0f);
            a.reset();
            assertEquals(0, a.modelVersion());
            assertArrayEquals(start, a.predict(b1).probabilities(), 0f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> a.restore(new StrategyState("tent", 0, Map.of(), Map.of())));
            assertEquals("cannot restore a 'tent' state into ecotta", e.getMessage());
        }
    }

    @Test
    void warmUpIsCachedAndReusedWithoutSourceData(@TempDir Path dir) throws IOException {
        String settings = QUICK + ", cache-dir = \"" + slashes(dir) + "\"";
        InputBatch b = EcottaFixture.shifted(16, 61);
        float[] first;
        Path file;
        try (EcottaStrategy a = create(settings, fixture.source)) {
            assertFalse(a.warmUp().fromCache());
            file = a.warmUp().cacheFile();
            assertTrue(Files.isRegularFile(file), "cache file " + file);
            first = a.predict(b).probabilities();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "only the entry, no temp files");
        }
        try (EcottaStrategy c = create(settings, null)) {
            assertTrue(c.warmUp().fromCache());
            assertEquals(0, c.warmUp().steps());
            assertArrayEquals(first, c.predict(b).probabilities(), 0f);
        }
        try (EcottaStrategy c = create(settings, fixture.source)) {
            assertTrue(c.warmUp().fromCache(), "same source data: the entry is used");
        }
        // Other warm-up settings are another key.
        IllegalArgumentException miss = assertThrows(IllegalArgumentException.class,
                () -> create(settings + ", warmup.lr = 0.01", null));
        assertTrue(miss.getMessage().contains("found no cached warm-up in " + dir), miss.getMessage());
        // Other source data: the entry is stale and the warm-up runs again.
        int[] labels = new int[96];
        SourceData other = new SourceData(TestData.images(96, labels, 77, 0f), EcottaFixture.SHAPE, labels);
        try (EcottaStrategy c = create(settings, other)) {
            assertFalse(c.warmUp().fromCache());
        }
        // A damaged entry: without source data that is an error naming the file ...
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 100));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> create(settings, null));
        assertTrue(bad.getMessage().contains(file + " is truncated"), bad.getMessage());
        // ... with source data it is replaced.
        try (EcottaStrategy c = create(settings, fixture.source)) {
            assertFalse(c.warmUp().fromCache());
            assertArrayEquals(first, c.predict(b).probabilities(), 0f);
        }
        try (EcottaStrategy c = create(settings, null)) {
            assertTrue(c.warmUp().fromCache());
        }
    }

    @Test
    void anEmptyFilterSkipsTheStepWithoutNaN() {
        try (EcottaStrategy s = create("entropy-factor = 1e-9")) {
            Map<String, StrategyState.Tensor> before = s.snapshot().tensors();
            ModelOutput out = s.predict(EcottaFixture.shifted(16, 71));
            assertEquals(StepOutcome.Kind.SKIPPED, out.step().kind());
            assertTrue(Double.isFinite(out.step().loss()), "loss " + out.step().loss());
            assertTrue(out.step().detail().contains("kept=0/16"), out.step().detail());
            assertEquals(0.0, s.lastKeptFraction());
            assertEquals(0, s.modelVersion());
            assertTrainableUnchanged(before, s.snapshot().tensors());
        }
    }

    @Test
    void nonFiniteInputDivergesAndLeavesTheMetaNetworksUnchanged() {
        try (EcottaStrategy s = create("")) {
            Map<String, StrategyState.Tensor> before = s.snapshot().tensors();
            float[] x = TestData.images(8, new int[8], 81, 0f);
            x[5] = Float.NaN;
            ModelOutput out = s.predict(new InputBatch(8, EcottaFixture.SHAPE, x));
            assertEquals(StepOutcome.Kind.DIVERGED, out.step().kind());
            assertEquals(0, s.modelVersion());
            assertTrainableUnchanged(before, s.snapshot().tensors());
            assertEquals(StepOutcome.Kind.APPLIED, s.predict(EcottaFixture.shifted(8, 82)).step().kind());
        }
    }

    @Test
    void aBatchOfOneIsPredictedWithRunningStatisticsAndNotAdapted() {
        try (EcottaStrategy s = create("")) {
            int[] y = new int[1];
            ModelOutput out = s.predict(EcottaFixture.shifted(1, 91, y));
            assertEquals(StepOutcome.Kind.SKIPPED, out.step().kind());
            assertEquals(1, out.size());
            assertEquals(0, s.modelVersion());
        }
    }

    @Test
    void adamIsAvailable() {
        try (EcottaStrategy s = create("optimizer = adam, lr = 1e-3")) {
            assertEquals(StepOutcome.Kind.APPLIED, s.predict(EcottaFixture.shifted(16, 95)).step().kind());
            assertTrue(s.snapshot().tensors().containsKey("opt/adam.m/meta.2.bn.gamma"));
        }
    }

    @Test
    void hundredsOfStepsLeaveNativeMemoryFlat() {
        EcottaStrategy s = create("");
        AdaptiveModel m = modelOf(s);
        try (s) {
            InputBatch[] batches = new InputBatch[8];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = EcottaFixture.shifted(8, 100 + i);
            }
            s.predict(batches[0]);
            long base = m.liveArrayCount();
            for (int i = 0; i < 200; i++) {
                s.predict(batches[i % batches.length]);
            }
            s.predict(EcottaFixture.shifted(1, 99));
            s.snapshot();
            s.restore(s.snapshot());
            s.reset();
            assertEquals(base, m.liveArrayCount());
        }
        assertTrue(m.isClosed());
    }

    private static void assertTrainableUnchanged(Map<String, StrategyState.Tensor> before,
            Map<String, StrategyState.Tensor> after) {
        before.forEach((k, v) -> {
            if (k.startsWith("param/") && !k.contains("running")) {
                assertArrayEquals(v.data(), after.get(k).data(), 0f, k);
            }
        });
    }

    /** The strategy's (frozen) model, through the package-private network accessor. */
    private static AdaptiveModel modelOf(EcottaStrategy s) {
        return s.network().model();
    }

    private static double accuracy(ModelOutput out, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            if (out.predictedClass(i) == labels[i]) {
                ok++;
            }
        }
        return (double) ok / labels.length;
    }

    private static double meanEntropy(ModelOutput out) {
        double h = 0;
        for (int i = 0; i < out.size(); i++) {
            h += out.entropy(i);
        }
        return h / out.size();
    }
}
