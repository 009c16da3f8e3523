package io.ctta.runtime.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What model to build and how to feed it.
 *
 * @param kind the architecture source
 * @param path the TorchScript file; {@code null} for the built-in CNN
 * @param inputShape the shape of one sample, e.g. {@code {1, 28, 28}}
 * @param numClasses the number of output classes
 * @param preprocessing the input normalisation applied inside the model wrapper
 * @param version identifies weights and preprocessing together; published with predictions and
 *     stored in checkpoints, so a change of either must change it
 * @param tabular the architecture of a {@link Kind#TABULAR_MLP} model; {@code null} for other kinds
 */
public record ModelSpec(Kind kind, Path path, int[] inputShape, int numClasses, Preprocessing preprocessing,
        String version, TabularMlp.Architecture tabular) {

    /** Where the architecture comes from. */
    public enum Kind {
        /** The small built-in CNN for 28x28 grey images ({@code builtin-cnn}). */
        BUILTIN_CNN,
        /** A user's TorchScript file, loaded with trainable parameters. */
        TORCHSCRIPT,
        /** The built-in tabular model: hashed-field embeddings + ReLU MLP ({@link TabularMlp}). */
        TABULAR_MLP
    }

    /** The suffix of the sidecar file that describes a TorchScript model. */
    public static final String SIDECAR_SUFFIX = ".json";

    public ModelSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(inputShape, "inputShape");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(version, "version");
        if (kind == Kind.TORCHSCRIPT && path == null) {
            throw new IllegalArgumentException("a TorchScript model spec needs the model file path");
        }
        if (inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("inputShape must be non-empty with positive dimensions, got "
                    + Arrays.toString(inputShape));
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        if ((kind == Kind.TABULAR_MLP) != (tabular != null)) {
            throw new IllegalArgumentException("a tabular architecture is given exactly for kind TABULAR_MLP; kind="
                    + kind + " tabular=" + tabular);
        }
        if (tabular != null && (inputShape.length != 1 || inputShape[0] != tabular.inputLength()
                || !preprocessing.equals(Preprocessing.IDENTITY))) {
            throw new IllegalArgumentException("a tabular model " + tabular + " needs inputShape ["
                    + tabular.inputLength() + "] and identity preprocessing, got " + Arrays.toString(inputShape)
                    + " and " + preprocessing);
        }
        inputShape = inputShape.clone();
    }

    /** A spec of a non-tabular kind (the architecture component is {@code null}). */
    public ModelSpec(Kind kind, Path path, int[] inputShape, int numClasses, Preprocessing preprocessing,
            String version) {
        this(kind, path, inputShape, numClasses, preprocessing, version, null);
    }

    /**
     * The built-in tabular model: input shape {@code [architecture.inputLength()]}, identity
     * preprocessing, version {@code tabular-mlp-v1/<architecture>/<tag>}.
     *
     * @param tag names the weights (e.g. the training data and seed); part of the version
     */
    public static ModelSpec tabularMlp(TabularMlp.Architecture architecture, int numClasses, String tag) {
        Objects.requireNonNull(architecture, "architecture");
        return new ModelSpec(Kind.TABULAR_MLP, null, new int[] {architecture.inputLength()}, numClasses,
                Preprocessing.IDENTITY, "tabular-mlp-v1/" + architecture + "/" + tag, architecture);
    }

    /** The built-in CNN: 1x28x28 input, 10 classes, Fashion-MNIST preprocessing. */
    public static ModelSpec builtinCnn() {
        Preprocessing p = Preprocessing.FASHION_MNIST;
        return new ModelSpec(Kind.BUILTIN_CNN, null, new int[] {1, 28, 28}, 10, p,
                "builtin-cnn-v1/" + p.scale() + "," + p.mean() + "," + p.std());
    }

    /**
     * A TorchScript model described by its sidecar {@code FILE.json} (e.g. {@code model.pt.json}):
     * <pre>{ "inputShape": [1,28,28], "numClasses": 10,
     *   "preprocessing": {"scale": 0.00392157, "mean": 0.286, "std": 0.353}, "version": "fmnist-v3" }</pre>
     * {@code preprocessing} may be omitted (identity); {@code version} may be omitted, then it is
     * derived from the file's size and modification time and the preprocessing.
     *
     * @throws IllegalArgumentException when the file or sidecar is missing or a key is invalid; the
     *     message names the key and what is expected
     */
    public static ModelSpec torchScript(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("TorchScript model file not found: " + file);
        }
        Path sidecar = file.resolveSibling(file.getFileName() + SIDECAR_SUFFIX);
        if (!Files.isRegularFile(sidecar)) {
            throw new IllegalArgumentException("model description not found: " + sidecar
                    + "; write a JSON file with keys inputShape, numClasses, preprocessing {scale, mean, std}"
                    + " and version next to the model");
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(sidecar.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cannot parse " + sidecar + ": " + e.getMessage(), e);
        }
        String where = sidecar.getFileName().toString();
        int[] shape = intList(c, "inputShape", where);
        int classes = intValue(c, "numClasses", where);
        Preprocessing pre = Preprocessing.IDENTITY;
        if (c.hasPath("preprocessing")) {
            pre = new Preprocessing(floatValue(c, "preprocessing.scale", where),
                    floatValue(c, "preprocessing.mean", where), floatValue(c, "preprocessing.std", where));
        }
        String version;
        if (c.hasPath("version")) {
            version = stringValue(c, "version", where);
        } else {
            try {
                version = "ts-" + Files.size(file) + "-" + Files.getLastModifiedTime(file).toMillis() + "/"
                        + pre.scale() + "," + pre.mean() + "," + pre.std();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot stat " + file + ": " + e.getMessage(), e);
            }
        }
        return torchScript(file, shape, classes, pre, version);
    }

    /** A TorchScript model with explicit values (no sidecar). */
    public static ModelSpec torchScript(Path file, int[] inputShape, int numClasses, Preprocessing preprocessing,
            String version) {
        return new ModelSpec(Kind.TORCHSCRIPT, file, inputShape, numClasses, preprocessing, version);
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    private static int[] intList(Config c, String key, String where) {
        try {
            List<Integer> xs = c.getIntList(key);
            int[] out = new int[xs.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = xs.get(i);
                if (out[i] <= 0) {
                    throw new IllegalArgumentException(where + ": key '" + key
                            + "' must be a list of positive integers (per-sample shape, e.g. [1,28,28]), got " + xs);
                }
            }
            if (out.length == 0) {
                throw new IllegalArgumentException(where + ": key '" + key + "' must not be empty");
            }
            return out;
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException(where + ": missing key '" + key
                    + "' (per-sample input shape, e.g. [1,28,28])", e);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + ": key '" + key
                    + "' must be a list of positive integers, e.g. [1,28,28]", e);
        }
    }

    private static int intValue(Config c, String key, String where) {
        try {
            return c.getInt(key);
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException(where + ": missing key '" + key + "' (an integer >= 2)", e);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + ": key '" + key + "' must be an integer >= 2", e);
        }
    }

    private static float floatValue(Config c, String key, String where) {
        try {
            return (float) c.getDouble(key);
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException(where + ": missing key '" + key + "' (a number)", e);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + ": key '" + key + "' must be a number", e);
        }
    }

    private static String stringValue(Config c, String key, String where) {
        try {
            String s = c.getString(key);
            if (s.isBlank()) {
                throw new IllegalArgumentException(where + ": key '" + key + "' must be a non-empty string");
            }
            return s;
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + ": key '" + key + "' must be a string", e);
        }
    }
}
