package io.ctta.runtime;

import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The committed TorchScript fixtures (fixtures/torchscript, written by
 * tools/fixtures/make_torchscript_fixtures.py) and the built-in CNN weights they were made from.
 */
public final class TorchScriptFixtures {

    private TorchScriptFixtures() {}

    /** The fixture directory, found from the module's directory (tests run there) or the repository root. */
    public static Path dir() {
        for (Path p : new Path[] {Path.of("..", "fixtures", "torchscript"), Path.of("fixtures", "torchscript")}) {
            if (Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("fixtures/torchscript not found from " + Path.of("").toAbsolutePath());
    }

    /** A fixture file, e.g. {@code cnn-twin.pt}. */
    public static Path file(String name) {
        return dir().resolve(name);
    }

    /** The spec of a fixture model read from its sidecar. */
    public static ModelSpec spec(String name) {
        return ModelSpec.torchScript(file(name));
    }

    /** A fixture model on the CPU. */
    public static AdaptiveModel model(String name) {
        return AdaptiveModel.create(spec(name), Device.CPU, 1);
    }

    /** The built-in CNN holding the weights the CNN fixtures were exported from. */
    public static AdaptiveModel builtinCnn() {
        AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
        try {
            m.loadParameters(file("builtin-cnn-fmnist.params"));
            return m;
        } catch (IOException e) {
            m.close();
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in CNN weights as heap tensors. */
    public static Map<String, StrategyState.Tensor> builtinCnnWeights() {
        try (AdaptiveModel m = builtinCnn()) {
            return m.snapshotParameters(io.ctta.runtime.model.ParameterSelector.all());
        }
    }
}
