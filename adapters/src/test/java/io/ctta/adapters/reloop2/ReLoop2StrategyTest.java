package io.ctta.adapters.reloop2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.TabularMlp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReLoop2StrategyTest {
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    private static final TabularMlp.Architecture ARCH = new TabularMlp.Architecture(2, 64, 4, 0, new int[] {12});

    private static AdaptiveModel clickModel(long seed) {
        return AdaptiveModel.create(ModelSpec.tabularMlp(ARCH, 2, "t"), Device.CPU, seed);
    }

    private static ReLoop2Strategy create(String settings, AdaptiveModel model) {
        return (ReLoop2Strategy) REGISTRY.create("reloop2",
                new StrategyContext(model, ConfigFactory.parseString(settings), 5));
    }

    private static InputBatch rows(int n, long seed, int[] labels) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 2];
        for (int i = 0; i < n; i++) {
            int u = r.nextInt(64);
            int m = r.nextInt(64);
            x[2 * i] = u;
            x[2 * i + 1] = m;
            labels[i] = u < 32 ? 1 : 0; // "users 0..31 click"
        }
        return new InputBatch(n, new int[] {2}, x);
    }

    /** A base that predicts with the model in eval mode, records labels and counts "updates". */
    private static final class RecordingBase implements AdaptationStrategy {
        final AdaptiveModel model;
        final List<int[]> labels = new ArrayList<>();
        long version;
        boolean closed;

        RecordingBase(AdaptiveModel model) {
            this.model = model;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public ModelOutput predict(InputBatch batch) {
            return model.predict(batch).withStep(StepOutcome.none());
        }

        @Override
        public StepOutcome learn(InputBatch batch, int[] y) {
            labels.add(y.clone());
            version++;
            return StepOutcome.applied(0.5);
        }

        @Override
        public long modelVersion() {
            return version;
        }

        @Override
        public StrategyState snapshot() {
            return new StrategyState("recording", version, Map.of(), Map.of("v", (double) version));
        }

        @Override
        public void restore(StrategyState state) {
            version = state.modelVersion();
        }

        @Override
        public void reset() {
            version = 0;
        }

        @Override
        public void close() {
            closed = true;
            model.close();
        }
    }

    private static ReLoop2Settings settings(String hocon) {
        return ReLoop2Settings.fromConfig(ConfigFactory.parseString(hocon));
    }

    @Test
    void registeredAndValidatedNamingTheKey() {
        assertTrue(REGISTRY.names().contains("reloop2"));
        for (String[] c : new String[][] {
                {"lambda = 1.5", "invalid setting 'strategies.reloop2.lambda' = 1.5: expected in [0, 1]"},
                {"tau = 0", "invalid setting 'strategies.reloop2.tau' = 0.0: expected > 0"},
                {"memory = faiss", "invalid setting 'strategies.reloop2.memory' = \"faiss\": expected one of sketch, knn"},
                {"k = 2.5", "invalid setting 'strategies.reloop2.k' = 2.5: expected an integer in [1, 1048576]"},
                {"sketch.bits = 30", "invalid setting 'strategies.reloop2.sketch.bits' = 30: expected an integer in [1, 24]"},
                {"key = logits", "invalid setting 'strategies.reloop2.key' = \"logits\": expected one of hidden, input, output"},
                {"refresh.decay = 0", "invalid setting 'strategies.reloop2.refresh.decay' = 0.0: expected in (0, 1]"},
                {"base = reloop2", "invalid setting 'strategies.reloop2.base' = \"reloop2\": expected the name of"
                        + " another registered strategy (source, sgd, adam, ...)"},
                {"base-settings = 3", "invalid setting 'strategies.reloop2.base-settings' = 3: expected an object { ... }"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(c[0]));
            assertEquals(c[1], e.getMessage());
        }
        try (AdaptiveModel m = clickModel(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create("base = nope", m));
            assertTrue(e.getMessage().startsWith("invalid setting 'strategies.reloop2.base' = \"nope\": expected one of "), e.getMessage());
            assertTrue(!e.getMessage().contains("reloop2,"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> create("base = norm, base-settings { alpha = 0 }", m));
            assertEquals("strategies.reloop2.base-settings (for 'norm'): invalid setting 'strategies.norm.alpha' = 0.0:"
                    + " expected in (0, 1]", e.getMessage());
        }
        ReLoop2Settings d = ReLoop2Settings.defaults();
        assertEquals(d, settings(""));
        assertEquals(180, d.k());
        assertEquals(1.0, d.gamma());
        assertEquals(0.1, d.tau());
    }

    @Test
    void anEmptyMemoryOrLambdaZeroIsTheBaseModel() {
        int[] y = new int[32];
        InputBatch b = rows(32, 1, y);
        try (AdaptiveModel ref = clickModel(2); ReLoop2Strategy s = create("memory = knn", clickModel(2));
                ReLoop2Strategy zero = create("lambda = 0", clickModel(2))) {
            float[] base = ref.predict(b).probabilities();
            assertArrayEquals(base, s.predict(b).probabilities(), 0f);
            zero.learn(b, y);
            assertArrayEquals(base, zero.predict(b).probabilities(), 1e-7f);
            assertEquals(32, zero.stats().compensated());
            assertEquals("source", s.base().name());
        }
    }

    @Test
    void compensationFromTheMemoryMatchesTheFormulaOnTheModelsOwnKeys() {
        int[] y = new int[24];
        InputBatch b = rows(24, 3, y);
        AdaptiveModel model = clickModel(4);
        try (ReLoop2Strategy s = create("memory = knn, k = 5, lambda = 0.9, tau = 0.1", model)) {
            float[] base = s.predict(b).probabilities();
            s.learn(b, y);
            assertEquals(24, s.stats().writes());
            float[] out = s.predict(b).probabilities();
            float[] h;
            try (StepScope step = model.newStep()) {
                NDList r = model.forwardWithFeatures(step.manager(), b, ForwardMode.EVAL);
                h = r.get(0).toFloatArray();
            }
            int d = ARCH.featureSize();
            for (int i = 0; i < 24; i++) {
                Neighbours nb = s.memory().read(Arrays.copyOfRange(h, i * d, (i + 1) * d));
                double[] a = Compensation.attention(nb, 0.1);
                double yBar = 0;
                for (int j = 0; j < nb.count(); j++) {
                    yBar += a[j] * nb.labels()[j];
                }
                double expected = Math.min(1, Math.max(0, 0.1 * base[2 * i + 1] + 0.9 * yBar));
                assertEquals(expected, out[2 * i + 1], 1e-5, "sample " + i);
                assertEquals(1.0, out[2 * i] + out[2 * i + 1], 1e-6);
            }
            // The compensated predictions moved toward the labels.
            assertTrue(logLoss(out, y) < logLoss(base, y), logLoss(out, y) + " vs " + logLoss(base, y));
        }
    }

    @Test
    void theNativeSketchHashingAgreesWithTheJavaReference() {
        int[] y = new int[48];
        InputBatch b = rows(48, 31, y);
        AdaptiveModel model = clickModel(16);
        try (ReLoop2Strategy s = create("k = 24, sketch.bits = 10, lambda = 0.5", model)) {
            float[] base = s.predict(b).probabilities();
            s.learn(b, y); // hashed natively (one matrix product per batch)
            float[] out = s.predict(b).probabilities();
            float[] h;
            try (StepScope step = model.newStep()) {
                h = model.forwardWithFeatures(step.manager(), b, ForwardMode.EVAL).get(0).toFloatArray();
            }
            int d = ARCH.featureSize();
            for (int i = 0; i < 48; i++) {
                // Read back through the pure-Java hashing: the sample's own buckets are all non-empty.
                Neighbours nb = s.memory().read(Arrays.copyOfRange(h, i * d, (i + 1) * d));
                assertEquals(24, nb.count(), "sample " + i);
                float q = Compensation.apply(new float[] {base[2 * i + 1]}, nb, 0.1, 1, 0.5)[0];
                assertEquals(q, out[2 * i + 1], 1e-6f, "sample " + i);
            }
        }
    }

    @Test
    void learnWritesBasePredictionsAndPassesLabelsOn() {
        int[] y = new int[16];
        InputBatch b = rows(16, 5, y);
        AdaptiveModel m = clickModel(6);
        RecordingBase base = new RecordingBase(m);
        ReLoop2Strategy s = new ReLoop2Strategy(base, m, settings("memory = knn, k = 1, refresh.base-updates = 0"), 1);
        float[] p = m.predict(b).probabilities();
        StepOutcome out = s.learn(b, y);
        assertEquals(StepOutcome.Kind.APPLIED, out.kind(), "the base's outcome is returned");
        assertEquals(1, base.labels.size());
        assertArrayEquals(y, base.labels.get(0));
        assertEquals(1, s.modelVersion());
        // The nearest neighbour of each key is itself: its stored base prediction is p(class 1).
        float[] h;
        try (StepScope step = m.newStep()) {
            h = m.forwardWithFeatures(step.manager(), b, ForwardMode.EVAL).get(0).toFloatArray();
        }
        int d = ARCH.featureSize();
        for (int i = 0; i < 16; i++) {
            Neighbours nb = s.memory().read(Arrays.copyOfRange(h, i * d, (i + 1) * d));
            assertEquals(1, nb.count());
            assertEquals(p[2 * i + 1], nb.basePredictions()[0], 1e-6f);
            assertTrue(nb.labels()[0] == 0f || nb.labels()[0] == 1f);
        }
        assertThrows(IllegalArgumentException.class, () -> s.learn(b, new int[] {2}));
        s.close();
        assertTrue(base.closed);
        assertTrue(m.isClosed());
    }

    @Test
    void baseUpdatesPeriodAndResetRefreshTheMemory() {
        int[] y = new int[8];
        InputBatch b = rows(8, 7, y);
        AdaptiveModel m1 = clickModel(8);
        try (ReLoop2Strategy s = new ReLoop2Strategy(new RecordingBase(m1), m1, settings("memory = knn"), 1)) {
            s.learn(b, y); // writes with version 0, then the base updates to 1
            assertEquals(8, s.memory().size());
            s.predict(b); // the base moved on: stale values are dropped before reading
            assertEquals(0, s.memory().size());
            assertEquals(1, s.stats().memoryResets());
            assertEquals(8, s.stats().uncompensated());
        }
        AdaptiveModel m2 = clickModel(8);
        try (ReLoop2Strategy s = new ReLoop2Strategy(new RecordingBase(m2), m2,
                settings("memory = knn, refresh.base-updates = 3"), 1)) {
            s.learn(b, y);
            s.learn(b, y);
            s.learn(b, y);
            assertEquals(24, s.memory().size());
            s.learn(b, y); // version 3 reached: cleared, then this batch written
            assertEquals(8, s.memory().size());
            s.reset();
            assertEquals(0, s.memory().size());
            assertEquals(0, s.modelVersion());
        }
        try (ReLoop2Strategy s = create("memory = sketch, k = 4, sketch.bits = 4, refresh.period = 10", clickModel(9))) {
            s.learn(b, y);
            assertEquals(8, s.memory().size());
            s.learn(b, y); // 8 + 2 reaches the period: cleared, then 6 more
            assertEquals(6, s.memory().size());
            assertEquals(1, s.stats().memoryResets());
        }
    }

    @Test
    void filterThresholdAndDownSamplingAreDeterministic() {
        int[] y = new int[64];
        InputBatch b = rows(64, 9, y);
        try (ReLoop2Strategy all = create("memory = knn, filter.threshold = 0.0", clickModel(10));
                ReLoop2Strategy big = create("memory = knn, filter.threshold = 0.5", clickModel(10));
                ReLoop2Strategy half = create("memory = knn, filter.sample-rate = 0.5", clickModel(10));
                ReLoop2Strategy half2 = create("memory = knn, filter.sample-rate = 0.5", clickModel(10));
                AdaptiveModel ref = clickModel(10)) {
            all.learn(b, y);
            big.learn(b, y);
            half.learn(b, y);
            half2.learn(b, y);
            float[] p = ref.predict(b).probabilities();
            int wrong = 0;
            for (int i = 0; i < 64; i++) {
                wrong += Math.abs(y[i] - p[2 * i + 1]) > 0.5 ? 1 : 0;
            }
            assertEquals(64, all.stats().writes());
            assertEquals(wrong, big.stats().writes(), "only errors above 0.5 are written");
            assertEquals(64 - wrong, big.stats().filtered());
            long w = half.stats().writes();
            assertTrue(w > 16 && w < 48, "about half: " + w);
            assertEquals(w, half2.stats().writes(), "seeded");
        }
    }

    @Test
    void snapshotRestoreGivesIdenticalNextPredictionsForBothMemories() {
        for (String mem : new String[] {"memory = knn, k = 8", "memory = sketch, k = 16, sketch.bits = 6",
                "memory = sketch, k = 8, sketch.bits = 5, sketch.similarity = cosine, refresh.decay = 0.9"}) {
            int[] y1 = new int[32];
            int[] y2 = new int[32];
            int[] y3 = new int[32];
            InputBatch b1 = rows(32, 11, y1);
            InputBatch b2 = rows(32, 12, y2);
            InputBatch b3 = rows(32, 13, y3);
            String cfg = mem + ", refresh.base-updates = 0";
            try (ReLoop2Strategy a = create(cfg, clickModel(12)); ReLoop2Strategy b = create(cfg, clickModel(12))) {
                a.learn(b1, y1);
                a.predict(b2);
                a.learn(b2, y2);
                StrategyState st = a.snapshot();
                float[] expected3 = a.predict(b3).probabilities();
                a.learn(b3, y3);
                float[] expected1 = a.predict(b1).probabilities();
                b.learn(b3, y3); // diverge b first
                b.restore(st);
                assertEquals(a.stats().writes() - 32, b.stats().writes(), mem);
                assertArrayEquals(expected3, b.predict(b3).probabilities(), 0f, mem);
                b.learn(b3, y3);
                assertArrayEquals(expected1, b.predict(b1).probabilities(), 0f, mem);
                assertFalse(Arrays.equals(expected1, clickModelPredict(b1)), "compensation is active: " + mem);
            }
        }
    }

    private static float[] clickModelPredict(InputBatch b) {
        try (AdaptiveModel m = clickModel(12)) {
            return m.predict(b).probabilities();
        }
    }

    @Test
    void multiClassOutputsStayDistributionsAndTheCnnWorks() {
        int[] y = new int[16];
        InputBatch b = new InputBatch(16, new int[] {1, 28, 28}, TestData.images(16, y, 21, 0f));
        for (String cfg : new String[] {"k = 32, sketch.bits = 6, lambda = 0.9", "memory = knn, k = 1, lambda = 0.9"}) {
            AdaptiveModel cnn = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3);
            try (ReLoop2Strategy s = create(cfg, cnn)) {
                assertEquals(64, s.memory().keyDim(), "the CNN's last hidden layer");
                assertEquals(10, s.memory().valueDim());
                s.learn(b, y);
                ModelOutput out = s.predict(b);
                int correct = 0;
                for (int i = 0; i < 16; i++) {
                    float sum = 0;
                    for (float p : out.probabilitiesOf(i)) {
                        assertTrue(p >= 0f && p <= 1f);
                        sum += p;
                    }
                    assertEquals(1f, sum, 1e-5f);
                    correct += out.predictedClass(i) == y[i] ? 1 : 0;
                }
                if (cfg.contains("knn")) {
                    // Each sample's nearest neighbour is itself: 0.1·p + 0.9·onehot(y) has its arg-max at y.
                    assertEquals(16, correct);
                }
            }
        }
        try (ReLoop2Strategy s = create("key = output, memory = knn", clickModel(1));
                ReLoop2Strategy t = create("key = input, memory = knn", clickModel(1))) {
            assertEquals(2, s.memory().keyDim());
            assertEquals(2, t.memory().keyDim());
            s.learn(rows(8, 1, y), Arrays.copyOf(y, 8));
            t.learn(rows(8, 1, y), Arrays.copyOf(y, 8));
            assertEquals(8, s.predict(rows(8, 2, new int[8])).size());
            assertEquals(8, t.predict(rows(8, 2, new int[8])).size());
        }
    }

    @Test
    void aDriftingClusterIsCorrectedFasterThanTheBaseModel() {
        // The base model never learns; after the drift users 0..15 stop clicking. Labels arrive one
        // batch late. ReLoop2 should cut the log loss on the post-drift stream.
        AdaptiveModel trained = clickModel(13);
        int[] y0 = new int[1024];
        InputBatch pre = rows(1024, 14, y0);
        io.ctta.runtime.train.SupervisedTrainer.train(trained, pre.features(), new int[] {2}, y0,
                new io.ctta.runtime.train.TrainSettings(6, 64, 1e-2f, 1), null);
        AdaptiveModel copy = trained.copy();
        try (AdaptationStrategy source = REGISTRY.create("source", new StrategyContext(trained, ConfigFactory.empty(), 1));
                ReLoop2Strategy r = create("k = 64, sketch.bits = 8, lambda = 0.9", copy)) {
            double lossBase = 0;
            double lossR = 0;
            InputBatch previous = null;
            int[] previousY = null;
            for (int t = 0; t < 40; t++) {
                int[] y = new int[32];
                InputBatch b = rows(32, 100 + t, y);
                for (int i = 0; i < 32; i++) {
                    if (b.features()[2 * i] < 16) {
                        y[i] = 0; // drifted users
                    }
                }
                float[] pb = source.predict(b).probabilities();
                float[] pr = r.predict(b).probabilities();
                if (t >= 10) {
                    lossBase += logLoss(pb, y);
                    lossR += logLoss(pr, y);
                }
                if (previous != null) {
                    r.learn(previous, previousY);
                }
                previous = b;
                previousY = y;
            }
            assertTrue(lossR < 0.8 * lossBase, "reloop2 " + lossR + " vs base " + lossBase);
        }
    }

    @Test
    void hundredsOfCallsLeaveNativeMemoryFlat() {
        AdaptiveModel m = clickModel(15);
        try (ReLoop2Strategy s = create("k = 32, sketch.bits = 8", m)) {
            int[] y = new int[16];
            InputBatch b = rows(16, 1, y);
            s.learn(b, y);
            s.predict(b);
            long live = m.liveArrayCount();
            for (int i = 0; i < 200; i++) {
                s.predict(b);
                s.learn(b, y);
            }
            s.snapshot();
            assertEquals(live, m.liveArrayCount());
            assertEquals(201 * 16, s.stats().writes());
        }
        assertTrue(m.isClosed());
    }

    private static double logLoss(float[] probs, int[] y) {
        double l = 0;
        for (int i = 0; i < y.length; i++) {
            double p = Math.min(1 - 1e-7, Math.max(1e-7, probs[2 * i + 1]));
            l -= y[i] == 1 ? Math.log(p) : Math.log(1 - p);
        }
        return l / y.length;
    }
}
