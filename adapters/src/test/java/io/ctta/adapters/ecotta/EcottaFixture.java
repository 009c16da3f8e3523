package io.ctta.adapters.ecotta;

import io.ctta.runtime.TestData;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import io.ctta.runtime.train.SupervisedTrainer;
import io.ctta.runtime.train.TrainSettings;
import java.util.Map;

/**
 * A small trained source model and labelled source data (synthetic 28x28 images whose class is the
 * position of a bright patch; see {@link TestData}), so the tests run in seconds.
 */
final class EcottaFixture {

    static final int[] SHAPE = {1, 28, 28};

    final SourceData source;
    final Map<String, StrategyState.Tensor> weights;

    private EcottaFixture(SourceData source, Map<String, StrategyState.Tensor> weights) {
        this.source = source;
        this.weights = weights;
    }

    /** Trains the built-in CNN for 2 epochs on 384 source images (the same images serve as source data). */
    static EcottaFixture create() {
        int n = 384;
        int[] labels = new int[n];
        float[] x = TestData.images(n, labels, 11, 0f);
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3)) {
            SupervisedTrainer.train(m, x, SHAPE, labels, new TrainSettings(2, 32, 3e-3f, 5), null);
            return new EcottaFixture(new SourceData(x, SHAPE, labels), m.snapshotParameters(ParameterSelector.all()));
        }
    }

    /** A fresh model holding the trained source weights. */
    AdaptiveModel model() {
        AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 3);
        m.restoreParameters(weights);
        return m;
    }

    /** {@code n} test images with a brightness shift of 40 and their labels in {@code labels}. */
    static InputBatch shifted(int n, long seed, int[] labels) {
        return new InputBatch(n, SHAPE, TestData.images(n, labels, seed, 40f));
    }

    static InputBatch shifted(int n, long seed) {
        return shifted(n, seed, new int[n]);
    }
}
