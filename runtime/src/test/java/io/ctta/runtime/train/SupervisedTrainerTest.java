package io.ctta.runtime.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.TestData;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SupervisedTrainerTest {
    @Test
    void learnsASeparableProblem() {
        int n = 1500;
        int[] labels = new int[n];
        float[] x = TestData.images(n, labels, 11, 0f);
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 5)) {
            long base = m.liveArrayCount();
            AtomicInteger calls = new AtomicInteger();
            TrainReport r = SupervisedTrainer.train(m, x, new int[] {1, 28, 28}, labels,
                    new TrainSettings(1, 32, 1e-3f, 3), i -> calls.incrementAndGet());
            assertTrue(r.steps() > 40, r.toString());
            assertTrue(calls.get() > 40);
            assertTrue(m.liveArrayCount() == base, "training leaked arrays: " + (m.liveArrayCount() - base));
            int[] testLabels = new int[500];
            float[] test = TestData.images(500, testLabels, 12, 0f);
            ModelOutput out = m.predict(new InputBatch(500, new int[] {1, 28, 28}, test));
            int ok = 0;
            for (int i = 0; i < 500; i++) {
                ok += out.predictedClass(i) == testLabels[i] ? 1 : 0;
            }
            assertTrue(ok / 500.0 > 0.8, "accuracy " + ok / 500.0 + " report " + r);
        }
    }
}
