package io.ctta.adapters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A strategy's numbers must not depend on when the garbage collector runs.
 *
 * <p>DJL's {@code mul(Number)}, {@code div(Number)}, {@code pow(Number)} and
 * {@code maximum(Number)} leave autograd holding a tensor over a Java buffer that the collector may
 * free before the backward pass (see {@code GraphScalars}); the gradients then read freed memory.
 * Left alone this failed about one CI run in four. A thread that forces a collection every
 * millisecond makes the freeing near certain, so every gradient-based strategy runs the same steps
 * twice, without and with that thread, and must end with bit-identical predictions and state.
 */
class GarbageCollectionTimingTest {
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    private static final int[] SHAPE = {1, 28, 28};
    private static final int STEPS = 6;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "sgd+spectral  | batch-norm-min-batch = 8                                  | learn",
        "upgd+spectral | batch-norm-min-batch = 8                                  | learn",
        "adam          | regularizer = wasserstein                                 | learn",
        "tent          | ''                                                        | adapt",
        "rmt           | warmup-samples = 64, source-batch-size = 16, projection-dim = 16 | adapt",
        "ecotta        | warmup { epochs = 1, batch-size = 16 }                    | adapt",
    })
    void resultsAreBitIdenticalWhileTheCollectorRunsConstantly(String name, String settings, String kind) {
        Run calm = run(name, settings, kind, false);
        Run stressed = run(name, settings, kind, true);
        assertNotEquals(0, stressed.collections(), "the collector thread must have run");
        assertEquals(calm.outcomes(), stressed.outcomes());
        for (int i = 0; i < calm.probabilities().size(); i++) {
            assertArrayEquals(calm.probabilities().get(i), stressed.probabilities().get(i), 0f, "step " + i);
        }
        assertEquals(calm.state().keySet(), stressed.state().keySet());
        calm.state().forEach((k, v) -> assertArrayEquals(v.data(), stressed.state().get(k).data(), 0f, k));
    }

    /** The predictions, step outcomes and final state of {@link #STEPS} steps. */
    private record Run(List<float[]> probabilities, List<String> outcomes, Map<String, StrategyState.Tensor> state,
            long collections) {}

    private static Run run(String name, String settings, String kind, boolean collect) {
        int[] sourceLabels = new int[96];
        SourceData source = new SourceData(TestData.images(96, sourceLabels, 5, 0f), SHAPE, sourceLabels);
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3);
        List<float[]> probabilities = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        try (Collector collector = collect ? new Collector() : null;
                AdaptationStrategy s = REGISTRY.create(name,
                        new StrategyContext(model, ConfigFactory.parseString(settings), 1, source))) {
            for (int i = 0; i < STEPS; i++) {
                int[] labels = new int[8];
                InputBatch batch = new InputBatch(8, SHAPE, TestData.images(8, labels, 100 + i, 30f));
                ModelOutput out = s.predict(batch);
                probabilities.add(out.probabilities());
                StepOutcome step = kind.equals("learn") ? s.learn(batch, labels) : out.step();
                outcomes.add(step.kind() + " " + step.loss());
            }
            return new Run(probabilities, outcomes, s.snapshot().tensors(), collector == null ? 0 : collector.count());
        }
    }

    /** Forces a full collection every millisecond until closed. */
    private static final class Collector implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong count = new AtomicLong();
        private final Thread thread = new Thread(this::loop, "gc-hammer");
        private final CountDownLatch first = new CountDownLatch(1);

        /** Starts the thread and returns once it has forced its first collection: the steps all run under it. */
        Collector() {
            thread.setDaemon(true);
            thread.start();
            try {
                if (!first.await(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the collector thread never ran");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private void loop() {
            while (!stop.get()) {
                System.gc();
                count.incrementAndGet();
                first.countDown();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long count() {
            return count.get();
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
