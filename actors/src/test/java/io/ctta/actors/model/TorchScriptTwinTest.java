package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proof that TorchScript models are adapted for real: the built-in CNN written in PyTorch,
 * loaded with the built-in model's weights and scripted (fixtures/torchscript/cnn-twin.pt, with a
 * dropout before its head that must stay off), served by {@code source}, {@code norm} and
 * {@code tent} on the whole continual Fashion-MNIST-C stream (15 corruptions at severity 5, in
 * batches of 64), predicts what the built-in model predicts: the same class on at least 99.5 % of
 * the records and the same error, within 0.3 points, on every corruption.
 */
class TorchScriptTwinTest {

    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    private static final int PER_DOMAIN = 256;
    private static final int BATCH = 64;

    @Test
    void sourceNormAndTentPredictWhatTheBuiltInModelPredicts() throws Exception {
        LabeledImages test = FashionMnist.load(FashionMnist.Split.TEST);
        List<Domain> stream = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, 1, PER_DOMAIN);
        for (String strategy : List.of("source", "norm", "tent")) {
            int same = 0;
            int total = 0;
            try (AdaptationStrategy builtin = create(strategy, TorchScriptFixtures.builtinCnn());
                    AdaptationStrategy twin = create(strategy, TorchScriptFixtures.model("cnn-twin.pt"))) {
                for (Domain d : stream) {
                    int wrongBuiltin = 0;
                    int wrongTwin = 0;
                    for (int at = 0; at < d.images().count(); at += BATCH) {
                        LabeledImages b = d.images().slice(at, Math.min(at + BATCH, d.images().count()));
                        InputBatch batch = new InputBatch(b.count(), new int[] {1, 28, 28}, b.allFeatures());
                        ModelOutput x = builtin.predict(batch);
                        ModelOutput y = twin.predict(batch);
                        for (int i = 0; i < b.count(); i++) {
                            int label = b.label(i);
                            wrongBuiltin += x.predictedClass(i) == label ? 0 : 1;
                            wrongTwin += y.predictedClass(i) == label ? 0 : 1;
                            same += x.predictedClass(i) == y.predictedClass(i) ? 1 : 0;
                            total++;
                        }
                    }
                    double errBuiltin = 100.0 * wrongBuiltin / d.images().count();
                    double errTwin = 100.0 * wrongTwin / d.images().count();
                    assertEquals(errBuiltin, errTwin, 0.3, strategy + " on " + d.name());
                }
            }
            assertTrue(same >= 0.995 * total, strategy + ": the same class on " + same + " of " + total + " records");
        }
    }

    private static AdaptationStrategy create(String name, AdaptiveModel model) {
        return REGISTRY.create(name, new StrategyContext(model, ConfigFactory.empty(), 1));
    }
}
