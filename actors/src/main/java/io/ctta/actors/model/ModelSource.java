package io.ctta.actors.model;

import io.ctta.actors.config.CttaSettings.ModelConf;
import io.ctta.actors.config.InvalidConfigException;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.checkpoint.ConfinedPaths;
import io.ctta.runtime.checkpoint.ModelPinning;
import io.ctta.runtime.data.SourceData;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds fresh copies of the configured source model: one per strategy instance, since a strategy
 * owns and changes its model. The spec (input shape, preprocessing, version) is resolved once.
 */
public final class ModelSource {

    private final ModelConf conf;
    private final ModelSpec spec;
    private final Device device;

    private final Path weights;

    public ModelSource(ModelConf conf) {
        this.conf = conf;
        this.device = Device.parse(conf.device());
        this.weights = conf.weights() == null ? null : confined("ctta.model.weights", conf.weights());
        if (weights != null && !Files.isRegularFile(weights)) {
            throw new InvalidConfigException("ctta.model.weights", conf.weights().toString(), "an existing parameters file (or empty)");
        }
        this.spec = resolveSpec();
        if (weights != null && !conf.kind().equals("torchscript")) {
            pin(weights);
        }
        if (weights != null) {
            tryLoadWeights();
        }
    }

    /**
     * Loads the weights into a throw-away model once, so that a file that exists but cannot be read
     * (truncated, another model's, not a parameters file) fails here, at startup, instead of in the
     * model actor after the broker started.
     */
    private void tryLoadWeights() {
        try (AdaptiveModel probe = newModel()) {
            // Loaded and closed: the file is usable.
        } catch (IllegalStateException e) {
            throw new InvalidConfigException("ctta.model.weights", conf.weights().toString(),
                    "a parameters file this model can load (" + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()) + ")");
        }
    }

    private ModelSpec resolveSpec() {
        switch (conf.kind()) {
            case "torchscript": {
                Path path = confined("ctta.model.path", conf.path());
                if (!Files.isRegularFile(path)) {
                    throw new InvalidConfigException("ctta.model.path", conf.path().toString(), "an existing TorchScript file");
                }
                pin(path);
                return ModelSpec.torchScript(path);
            }
            case "builtin-resnet":
                try {
                    return ModelSpec.builtinResNet(weights);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException("ctta.model.weights", conf.weights().toString(), e.getMessage());
                }
            default:
                // builtin-cnn, or mlp:<in>-...-<out> (validated with the config).
                return ModelSpec.builtin(conf.kind());
        }
    }

    /** Resolves a configured path inside ctta.model.root when one is set. */
    private Path confined(String key, Path p) {
        if (conf.root() == null) {
            return p;
        }
        try {
            return ConfinedPaths.resolve(conf.root(), p.toString());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new InvalidConfigException(key, p.toString(), "a path inside ctta.model.root (" + conf.root() + "): " + e.getMessage());
        }
    }

    /** Refuses a file whose SHA-256 differs from ctta.model.sha256, when that is set. */
    private void pin(Path file) {
        if (conf.sha256().isEmpty()) {
            return;
        }
        try {
            ModelPinning.verify(file, conf.sha256());
        } catch (java.io.IOException e) {
            throw new InvalidConfigException("ctta.model.sha256", conf.sha256(), "the SHA-256 of " + file + ": " + e.getMessage());
        }
    }

    /** The colourised Fashion-MNIST training set as source data: {@code fashion-mnist-rgb[:DIR]}. */
    public static final String FASHION_MNIST_RGB = "fashion-mnist-rgb";

    private SourceData source;
    private boolean sourceLoaded;

    /**
     * The configured labelled source samples, loaded on first use and shared read-only by every
     * strategy of this process; null when none are configured.
     */
    public synchronized SourceData sourceData() {
        if (!sourceLoaded) {
            source = loadSource();
            sourceLoaded = true;
        }
        return source;
    }

    private SourceData loadSource() {
        String where = conf.sourceData();
        if (where.isEmpty()) {
            return null;
        }
        if (where.equals(FASHION_MNIST_RGB) || where.startsWith(FASHION_MNIST_RGB + ":")) {
            Path dir = where.equals(FASHION_MNIST_RGB) ? FashionMnist.defaultDirectory()
                    : Path.of(where.substring(FASHION_MNIST_RGB.length() + 1));
            return SourceSamples.load("fashion-mnist", dir,
                    java.util.Map.of("split", "train", "color", "rgb"), conf.sourceSamples(), spec, "ctta.model.source-data");
        }
        int colon = where.indexOf(':');
        if (colon > 1 && !where.startsWith("/")) {
            // <format>:<path>, any dataset reader (e.g. image-folder:/data/train), resized to the model's input.
            return SourceSamples.load(where.substring(0, colon), Path.of(where.substring(colon + 1)), java.util.Map.of(),
                    conf.sourceSamples(), spec, "ctta.model.source-data");
        }
        Path dir = where.equals("fashion-mnist") ? FashionMnist.defaultDirectory() : Path.of(where);
        try {
            LabeledImages all = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
            LabeledImages s = all.slice(0, Math.min(conf.sourceSamples(), all.count()));
            return new SourceData(s.allFeatures(), new int[] {1, s.rows(), s.cols()}, s.labels());
        } catch (java.io.IOException e) {
            throw new InvalidConfigException("ctta.model.source-data", where + ": " + e.getMessage()
                    + "; expected \"fashion-mnist\" or a directory with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]", e);
        }
    }

    /**
     * The input contract clients discover on {@code /api/pipelines}: the spec's shape, range and
     * classes, with the class names the model's description declares (the built-in CNN's are
     * Fashion-MNIST's, the data ctta trains it on).
     */
    public InputContract inputContract() {
        java.util.List<String> names = switch (spec.kind()) {
            case BUILTIN_CNN -> FashionMnist.CLASS_NAMES;
            case BUILTIN_RESNET -> weights == null ? java.util.List.of() : ModelSpec.declaredClassNames(weights);
            case TORCHSCRIPT -> ModelSpec.declaredClassNames(spec.path());
            default -> java.util.List.of();
        };
        return InputContract.of(spec, names);
    }

    /** The spec every copy shares. */
    public ModelSpec spec() {
        return spec;
    }

    /** A new model with the source weights; the caller owns (and closes) it. */
    public AdaptiveModel newModel() {
        AdaptiveModel model = AdaptiveModel.create(spec, device, conf.seed());
        model.preferChannelsLast(conf.channelsLast());
        if (weights != null) {
            try {
                model.loadParameters(weights);
            } catch (RuntimeException | java.io.IOException e) {
                model.close();
                throw new IllegalStateException("cannot load source weights from " + weights + ": " + e.getMessage(), e);
            }
        }
        return model;
    }
}
