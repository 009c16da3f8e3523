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
import io.ctta.runtime.data.InputBatch;

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
 * @param geometry how images of another size become {@code inputShape} (resize, center crop);
 *     {@link ImageGeometry#NONE} when samples must have {@code inputShape} already
 * @param mlp the layer widths of a {@link Kind#MLP} model; {@code null} for other kinds
 */
public record ModelSpec(Kind kind, Path path, int[] inputShape, int numClasses, Preprocessing preprocessing,
        String version, TabularMlp.Architecture tabular, ImageGeometry geometry, Mlp.Architecture mlp) {

    /** Where the architecture comes from. */
    public enum Kind {
        /** The small built-in CNN for 28x28 grey images ({@code builtin-cnn}). */
        BUILTIN_CNN,
        /** The small built-in ResNet for RGB images ({@code builtin-resnet}, {@link BuiltinResNet}). */
        BUILTIN_RESNET,
        /** A user's TorchScript file, loaded with trainable parameters. */
        TORCHSCRIPT,
        /** The built-in tabular model: hashed-field embeddings + ReLU MLP ({@link TabularMlp}). */
        TABULAR_MLP,
        /** The built-in fully connected ReLU network {@code mlp:<in>-<h1>-...-<out>} ({@link Mlp}). */
        MLP
    }

    /** The suffix of the sidecar file that describes a TorchScript model. */
    public static final String SIDECAR_SUFFIX = ".json";

    public ModelSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(inputShape, "inputShape");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(geometry, "geometry");
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
        if ((kind == Kind.MLP) != (mlp != null)) {
            throw new IllegalArgumentException("MLP layer widths are given exactly for kind MLP; kind=" + kind + " mlp=" + mlp);
        }
        if (mlp != null && (inputShape.length != 1 || inputShape[0] != mlp.inputs() || numClasses != mlp.classes())) {
            throw new IllegalArgumentException("an MLP " + mlp + " needs inputShape [" + mlp.inputs() + "] and "
                    + mlp.classes() + " classes, got " + Arrays.toString(inputShape) + " and " + numClasses);
        }
        if (preprocessing.channels() > 1 && (inputShape.length < 2 || inputShape[0] != preprocessing.channels())) {
            throw new IllegalArgumentException("per-channel preprocessing for " + preprocessing.channels()
                    + " channels does not fit input shape " + Arrays.toString(inputShape) + " (channels first)");
        }
        if (geometry.acceptsAnySize()) {
            checkGeometry(inputShape, geometry);
        }
        inputShape = inputShape.clone();
    }

    /** A spec of any kind but {@link Kind#MLP}. */
    public ModelSpec(Kind kind, Path path, int[] inputShape, int numClasses, Preprocessing preprocessing,
            String version, TabularMlp.Architecture tabular, ImageGeometry geometry) {
        this(kind, path, inputShape, numClasses, preprocessing, version, tabular, geometry, null);
    }

    /** A spec of a non-tabular kind without resize or crop. */
    public ModelSpec(Kind kind, Path path, int[] inputShape, int numClasses, Preprocessing preprocessing,
            String version) {
        this(kind, path, inputShape, numClasses, preprocessing, version, null, ImageGeometry.NONE);
    }

    /** A spec without resize or crop. */
    public ModelSpec(Kind kind, Path path, int[] inputShape, int numClasses, Preprocessing preprocessing,
            String version, TabularMlp.Architecture tabular) {
        this(kind, path, inputShape, numClasses, preprocessing, version, tabular, ImageGeometry.NONE);
    }

    private static void checkGeometry(int[] shape, ImageGeometry g) {
        if (shape.length != 3) {
            throw new IllegalArgumentException("resize/centerCrop need an image input shape [C,H,W], got "
                    + Arrays.toString(shape));
        }
        int[] target = {shape[1], shape[2]};
        int[] crop = g.centerCrop();
        int[] resize = g.resize();
        if (crop != null) {
            if (!Arrays.equals(crop, target)) {
                throw new IllegalArgumentException("centerCrop " + Arrays.toString(crop) + " must equal the input size "
                        + Arrays.toString(target) + " of inputShape " + Arrays.toString(shape));
            }
            if (resize != null && resize.length == 2 && (resize[0] < crop[0] || resize[1] < crop[1])) {
                throw new IllegalArgumentException("resize " + Arrays.toString(resize) + " is smaller than centerCrop "
                        + Arrays.toString(crop));
            }
            if (resize != null && resize.length == 1 && resize[0] < Math.max(crop[0], crop[1])) {
                throw new IllegalArgumentException("resize " + resize[0] + " (shorter side) is smaller than centerCrop "
                        + Arrays.toString(crop));
            }
        } else if (resize.length == 1) {
            throw new IllegalArgumentException("resize " + resize[0] + " (shorter side, aspect kept) gives images of"
                    + " varying size; add centerCrop " + Arrays.toString(target) + " or resize to exactly "
                    + Arrays.toString(target));
        } else if (!Arrays.equals(resize, target)) {
            throw new IllegalArgumentException("resize " + Arrays.toString(resize) + " must equal the input size "
                    + Arrays.toString(target) + " when there is no centerCrop");
        }
    }

    /**
     * The shape a record must have: {@code inputShape}, or with a resize/crop {@code [C, -1, -1]}
     * ({@code -1}: any size; an RGB model then takes grey images too, {@code [-1, -1, -1]}).
     */
    public int[] acceptedShape() {
        if (!geometry.acceptsAnySize()) {
            return inputShape.clone();
        }
        return new int[] {inputShape[0] == 3 ? -1 : inputShape[0], -1, -1};
    }

    /**
     * One sample as the model's input: checked against {@link #acceptedShape()}, a grey image given
     * to an RGB model replicated into three channels, resized and cropped to {@code inputShape} when
     * the spec declares it. Returns {@code values} itself when nothing is to be done.
     *
     * @throws IllegalArgumentException with the reason when the sample does not fit
     */
    public float[] toModelInput(int[] sampleShape, float[] values) {
        if (!geometry.acceptsAnySize()) {
            if (InputBatch.sampleLength(sampleShape) != InputBatch.sampleLength(inputShape)) {
                throw new IllegalArgumentException("shape " + Arrays.toString(sampleShape) + " does not fit the model's input "
                        + Arrays.toString(inputShape));
            }
            return values;
        }
        boolean greyForRgb = sampleShape.length == 3 && sampleShape[0] == 1 && inputShape[0] == 3;
        if (sampleShape.length != 3 || (sampleShape[0] != inputShape[0] && !greyForRgb)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(sampleShape) + " is not an image of "
                    + inputShape[0] + " channel(s) [" + inputShape[0] + ",H,W]" + (inputShape[0] == 3 ? " or a grey one [1,H,W]" : ""));
        }
        int channels = sampleShape[0];
        int h = sampleShape[1];
        int w = sampleShape[2];
        float[] fitted;
        // Nothing to do when the resize keeps the frame's size and that is the input size (a crop,
        // which always yields the input size, then takes the whole frame).
        if (h == inputShape[1] && w == inputShape[2] && Arrays.equals(geometry.resizedSize(h, w), new int[] {h, w})) {
            fitted = values;
        } else {
            int[] out = geometry.outputSize(h, w);
            int[] resized = geometry.resizedSize(h, w);
            if (geometry.centerCrop() != null && (resized[0] < out[0] || resized[1] < out[1])) {
                throw new IllegalArgumentException("an image of " + h + "x" + w + " is smaller than the center crop "
                        + out[0] + "x" + out[1]);
            }
            // A grey frame is resized as one channel and only then repeated: a third of the work.
            fitted = geometry.apply(values, channels, h, w);
        }
        if (!greyForRgb) {
            return fitted;
        }
        // A grey frame for an RGB model (night-time camera traps): R = G = B, as PIL's convert("RGB").
        float[] rgb = new float[fitted.length * 3];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(fitted, 0, rgb, c * fitted.length, fitted.length);
        }
        return rgb;
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

    /**
     * The built-in fully connected network ({@link Mlp}): samples flattened to {@code [inputs]}, raw
     * 0..255 values scaled by 1/255 and standardised with Fashion-MNIST's mean and std (the UPGD
     * reference code standardises its MNIST inputs the same way, with MNIST's), version
     * {@code mlp-v1/<kind>/<preprocessing>}.
     */
    public static ModelSpec mlp(Mlp.Architecture architecture) {
        Objects.requireNonNull(architecture, "architecture");
        Preprocessing p = Preprocessing.FASHION_MNIST;
        return new ModelSpec(Kind.MLP, null, new int[] {architecture.inputs()}, architecture.classes(), p,
                "mlp-v1/" + architecture + "/" + p.describe(), null, ImageGeometry.NONE, architecture);
    }

    /**
     * A built-in model by its kind name: {@code builtin-cnn} or {@code mlp:<in>-<h1>-...-<out>}.
     *
     * @throws IllegalArgumentException for another name, saying which are known
     */
    public static ModelSpec builtin(String kind) {
        if ("builtin-cnn".equals(kind)) {
            return builtinCnn();
        }
        if (Mlp.Architecture.isMlpKind(kind)) {
            return mlp(Mlp.Architecture.parse(kind));
        }
        throw new IllegalArgumentException("unknown built-in model '" + kind + "'; known: builtin-cnn,"
                + " mlp:<inputs>-<hidden>-...-<classes> (e.g. mlp:784-300-150-10)");
    }

    /** The built-in CNN: 1x28x28 input, 10 classes, Fashion-MNIST preprocessing. */
    public static ModelSpec builtinCnn() {
        Preprocessing p = Preprocessing.FASHION_MNIST;
        return new ModelSpec(Kind.BUILTIN_CNN, null, new int[] {1, 28, 28}, 10, p,
                "builtin-cnn-v1/" + p.describe());
    }

    /**
     * The built-in ResNet ({@link BuiltinResNet}) for RGB images of {@code size x size}: images of
     * any size are resized (shorter side to {@code size}) and center-cropped, then normalised with
     * {@code preprocessing}.
     *
     * @param tag names the weights (e.g. the training data and seed); part of the version
     */
    public static ModelSpec builtinResNet(int numClasses, int size, Preprocessing preprocessing, String tag) {
        ImageGeometry g = new ImageGeometry(new int[] {size}, new int[] {size, size});
        return new ModelSpec(Kind.BUILTIN_RESNET, null, new int[] {3, size, size}, numClasses, preprocessing,
                "builtin-resnet-v1/" + numClasses + "/" + size + "/" + preprocessing.describe() + "/" + g + "/" + tag,
                null, g);
    }

    /**
     * A TorchScript model described by its sidecar {@code FILE.json} (e.g. {@code model.pt.json}):
     * <pre>{ "inputShape": [3,224,224], "numClasses": 10, "version": "cams-v3",
     *   "preprocessing": {"scale": 0.00392157, "mean": [0.485,0.456,0.406], "std": [0.229,0.224,0.225],
     *                     "resize": 256, "centerCrop": 224} }</pre>
     * {@code preprocessing} may be omitted (identity); {@code mean}/{@code std} are one number for
     * all channels or one per channel; {@code resize} (shorter side, or {@code [h, w]}) and
     * {@code centerCrop} (a side, or {@code [h, w]}) let records of any size in. {@code version}
     * may be omitted, then it is derived from the file's size and modification time and the
     * preprocessing. Unknown keys are refused (a misspelt key would otherwise be ignored).
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
        Config c = readDescription(sidecar, "write a JSON file with keys inputShape, numClasses, preprocessing {scale, mean,"
                + " std[, resize, centerCrop]} and version next to the model (docs/models.md)");
        String where = sidecar.getFileName().toString();
        rejectUnknown(c, where, "", List.of("inputShape", "numClasses", "preprocessing", "version", "classes"));
        int[] shape = intList(c, "inputShape", where);
        int classes = intValue(c, "numClasses", where);
        classNames(c, where, classes);
        Preprocessing pre = Preprocessing.IDENTITY;
        ImageGeometry geometry = ImageGeometry.NONE;
        if (c.hasPath("preprocessing")) {
            rejectUnknown(c.getConfig("preprocessing"), where, "preprocessing.",
                    List.of("scale", "mean", "std", "resize", "centerCrop"));
            float scale = c.hasPath("preprocessing.scale") ? floatValue(c, "preprocessing.scale", where) : 1f;
            float[] mean = c.hasPath("preprocessing.mean") ? floats(c, "preprocessing.mean", where) : new float[] {0f};
            float[] std = c.hasPath("preprocessing.std") ? floats(c, "preprocessing.std", where) : new float[] {1f};
            if (mean.length != std.length && mean.length != 1 && std.length != 1) {
                throw new IllegalArgumentException(where + ": preprocessing.mean and preprocessing.std must have as many"
                        + " values (one, or one per channel), got " + mean.length + " and " + std.length);
            }
            mean = widen(mean, std.length);
            std = widen(std, mean.length);
            try {
                pre = new Preprocessing(scale, mean, std);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            int[] resize = c.hasPath("preprocessing.resize") ? sides(c, "preprocessing.resize", where, false) : null;
            int[] crop = c.hasPath("preprocessing.centerCrop") ? sides(c, "preprocessing.centerCrop", where, true) : null;
            geometry = new ImageGeometry(resize, crop);
        }
        String version;
        if (c.hasPath("version")) {
            version = stringValue(c, "version", where);
        } else {
            try {
                version = "ts-" + Files.size(file) + "-" + Files.getLastModifiedTime(file).toMillis() + "/"
                        + pre.describe() + (geometry.acceptsAnySize() ? "/" + geometry : "");
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot stat " + file + ": " + e.getMessage(), e);
            }
        }
        try {
            return new ModelSpec(Kind.TORCHSCRIPT, file, shape, classes, pre, version, null, geometry);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The class names a model's description declares ({@code "classes": ["cat", "dog", ...]}, one
     * per class, optional): of a TorchScript file its sidecar, of a built-in ResNet's parameter
     * file the description {@code ctta train} wrote. Empty when none are declared or there is no
     * description. Clients read them to interpret a predicted class index.
     *
     * @param modelFile the TorchScript file or the parameter file the description sits beside
     * @throws IllegalArgumentException when the list is not {@code numClasses} strings
     */
    public static List<String> declaredClassNames(Path modelFile) {
        Path description = modelFile.resolveSibling(modelFile.getFileName() + SIDECAR_SUFFIX);
        if (!Files.isRegularFile(description)) {
            return List.of();
        }
        Config c = readDescription(description, "");
        String where = description.getFileName().toString();
        return classNames(c, where, intValue(c, "numClasses", where));
    }

    private static List<String> classNames(Config c, String where, int numClasses) {
        if (!c.hasPath("classes")) {
            return List.of();
        }
        List<String> names;
        try {
            names = c.getStringList("classes");
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + ": key 'classes' must be a list of class names (strings)", e);
        }
        if (names.size() != numClasses) {
            throw new IllegalArgumentException(where + ": key 'classes' must name each of the " + numClasses
                    + " classes (numClasses), got " + names.size() + " names");
        }
        return List.copyOf(names);
    }

    /** The suffix of the description written beside a built-in ResNet's parameter file. */
    public static final String DESCRIPTION_SUFFIX = ".json";

    /**
     * Writes the description of a built-in ResNet beside its parameter file ({@code FILE.params.json}):
     * what {@link #builtinResNet(Path)} needs to rebuild the spec before loading the weights.
     *
     * @throws IllegalStateException for another kind of model
     */
    public void writeDescription(Path weights, java.util.List<String> classNames) throws java.io.IOException {
        if (kind != Kind.BUILTIN_RESNET) {
            throw new IllegalStateException("only a built-in ResNet is described beside its weights, not " + kind);
        }
        java.util.Map<String, Object> pre = new java.util.LinkedHashMap<>();
        pre.put("scale", (double) preprocessing.scale());
        pre.put("mean", floats(preprocessing.mean()));
        pre.put("std", floats(preprocessing.std()));
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("kind", "builtin-resnet");
        d.put("numClasses", numClasses);
        d.put("imageSize", inputShape[1]);
        d.put("preprocessing", pre);
        d.put("version", version);
        d.put("classes", classNames);
        String json = com.typesafe.config.ConfigValueFactory.fromMap(d)
                .render(com.typesafe.config.ConfigRenderOptions.concise().setJson(true).setFormatted(true));
        Files.writeString(weights.resolveSibling(weights.getFileName() + DESCRIPTION_SUFFIX), json + "\n");
    }

    private static java.util.List<Double> floats(float[] v) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (float x : v) {
            out.add((double) x);
        }
        return out;
    }

    /**
     * The built-in ResNet described beside its parameter file ({@code FILE.params.json}, written by
     * {@code ctta train}).
     *
     * @throws IllegalArgumentException when the description is missing or invalid, naming the key
     */
    public static ModelSpec builtinResNet(Path weights) {
        Path description = weights.resolveSibling(weights.getFileName() + DESCRIPTION_SUFFIX);
        Config c = readDescription(description, "a built-in ResNet's weights come with the description ctta train writes"
                + " beside them");
        String where = description.getFileName().toString();
        rejectUnknown(c, where, "", List.of("kind", "numClasses", "imageSize", "preprocessing", "version", "classes"));
        if (!"builtin-resnet".equals(stringValue(c, "kind", where))) {
            throw new IllegalArgumentException(where + ": key 'kind' must be builtin-resnet");
        }
        int classes = intValue(c, "numClasses", where);
        int size = intValue(c, "imageSize", where);
        Preprocessing pre = new Preprocessing(floatValue(c, "preprocessing.scale", where),
                floats(c, "preprocessing.mean", where), floats(c, "preprocessing.std", where));
        String version = stringValue(c, "version", where);
        ImageGeometry g = new ImageGeometry(new int[] {size}, new int[] {size, size});
        return new ModelSpec(Kind.BUILTIN_RESNET, null, new int[] {3, size, size}, classes, pre, version, null, g);
    }

    /** A TorchScript model with explicit values (no sidecar). */
    public static ModelSpec torchScript(Path file, int[] inputShape, int numClasses, Preprocessing preprocessing,
            String version) {
        return new ModelSpec(Kind.TORCHSCRIPT, file, inputShape, numClasses, preprocessing, version);
    }

    /** The same spec with another resize/crop (and the version marking it). */
    public ModelSpec withGeometry(ImageGeometry g) {
        return new ModelSpec(kind, path, inputShape, numClasses, preprocessing, version + "/" + g, tabular, g, mlp);
    }

    /** A model description (JSON) as a config; {@code missingHint} says what to do when it is absent. */
    private static Config readDescription(Path file, String missingHint) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model description not found: " + file + "; " + missingHint);
        }
        try {
            return ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    private static void rejectUnknown(Config c, String where, String prefix, List<String> known) {
        for (String key : c.root().keySet()) {
            if (!known.contains(key)) {
                String fix = io.ctta.runtime.config.DidYouMean.nearest(key, known).map(k -> "did you mean '" + prefix + k + "'? ")
                        .orElse("");
                throw new IllegalArgumentException(where + ": unknown key '" + prefix + key + "'; " + fix + "known keys: "
                        + String.join(", ", known.stream().map(k -> prefix + k).toList()));
            }
        }
    }

    private static float[] widen(float[] v, int n) {
        if (v.length == n || v.length != 1) {
            return v;
        }
        float[] out = new float[n];
        Arrays.fill(out, v[0]);
        return out;
    }

    private static float[] floats(Config c, String key, String where) {
        try {
            if (c.getValue(key).valueType() == com.typesafe.config.ConfigValueType.LIST) {
                List<Double> xs = c.getDoubleList(key);
                if (xs.isEmpty()) {
                    throw new IllegalArgumentException(where + ": key '" + key + "' must not be an empty list");
                }
                float[] out = new float[xs.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = xs.get(i).floatValue();
                }
                return out;
            }
            return new float[] {(float) c.getDouble(key)};
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + ": key '" + key
                    + "' must be a number or a list of numbers (one per channel)", e);
        }
    }

    /** A side ({@code 224}) or {@code [h, w]}; a single side of a crop means a square. */
    private static int[] sides(Config c, String key, String where, boolean squareFromOne) {
        try {
            int[] v;
            if (c.getValue(key).valueType() == com.typesafe.config.ConfigValueType.LIST) {
                List<Integer> xs = c.getIntList(key);
                v = xs.stream().mapToInt(Integer::intValue).toArray();
            } else {
                v = new int[] {c.getInt(key)};
            }
            if (v.length < 1 || v.length > 2 || Arrays.stream(v).anyMatch(d -> d <= 0)) {
                throw new IllegalArgumentException(where + ": key '" + key
                        + "' must be a positive size or [height, width], got " + Arrays.toString(v));
            }
            return squareFromOne && v.length == 1 ? new int[] {v[0], v[0]} : v;
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(where + ": key '" + key + "' must be a positive size or [height, width]", e);
        }
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
        if (!c.hasPath(key)) {
            throw new IllegalArgumentException(where + ": missing key '" + key + "' (a string)");
        }
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
