package io.ctta.adapters.ecotta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.internal.EngineGrad;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The EcoTTA network (ALGORITHMS.md 4.2): the frozen built-in CNN run layer by layer over the
 * {@link AdaptiveModel}'s own parameter arrays (eval mode, source BN statistics), split into a
 * stem, {@code K} partitions and a head, with one meta network per partition:
 * {@code a_k = BN_k(f_k(a_{k-1})) + G_k(a_{k-1})}, {@code G_k(a) = ReLU(BN(Conv3x3(a)))} with
 * stride {@code H_in / H_out}, padding 1 and no bias. A partition whose output is a feature
 * vector (it ends after the flatten, layer 09) gets the dense analogue,
 * {@code G_k(a) = ReLU(BN(W · flatten(a)))} without bias: a convolution whose kernel covers the
 * whole input map (our extension; the paper partitions convolutional encoders only).
 *
 * <p>Why a functional re-implementation rather than the model's block: DJL runs a
 * {@code SequentialBlock} as one call, and the meta networks have to act between its layers. The
 * layer list below mirrors {@code BuiltinCnn}; construction checks the model's parameter names
 * against it, and a test checks that the frozen path gives bit-identical logits to
 * {@link AdaptiveModel#predict}.
 *
 * <p>Memory: the meta tensors live in their own sub-manager of the model's manager, created here
 * and never inside a step; everything a forward creates belongs to the caller's step scope.
 * The frozen parameters are never written.
 */
final class EcottaNetwork implements AutoCloseable {

    /** How the meta BatchNorms (both {@code BN_k} and the one inside {@code G_k}) normalise. */
    enum MetaMode {
        /** Batch statistics; running statistics updated (PyTorch train mode, momentum 0.1). */
        UPDATE_STATS,
        /** Batch statistics; running statistics neither used nor changed. */
        BATCH_STATS,
        /** Running statistics (eval mode). */
        RUNNING_STATS
    }

    /** The last built-in layer a partition may end at (12: the ReLU before the classifier). */
    static final int ENCODER_END = 12;

    /** The built-in layer that flattens feature maps into vectors. */
    static final int FLATTEN = 9;

    private static final float BN_EPS = 1e-5f;
    private static final float BN_MOMENTUM = 0.1f;
    private static final String META = "meta.";

    private enum Kind { CONV, BN, RELU, POOL, FLATTEN, LINEAR }

    /** One frozen layer: its kind and, where it has them, the model's parameter arrays. */
    private record Layer(int number, Kind kind, NDArray weight, NDArray bias, NDArray mean, NDArray var) {}

    /**
     * The meta network of one partition; every array lives in {@link #metaManager}. A stride of 0
     * marks a dense branch ({@code convWeight} is then a matrix).
     */
    private record Meta(int stride, NDArray convWeight, NDArray convGamma, NDArray convBeta, NDArray convMean,
            NDArray convVar, NDArray gamma, NDArray beta, NDArray mean, NDArray var) {}

    /**
     * The shape of one sample after a built-in layer: (channels, height, width), or a vector of
     * {@code channels} features when {@code flat}.
     */
    private record FeatureShape(long channels, long height, long width, boolean flat) {
        long size() {
            return flat ? channels : channels * height * width;
        }

        @Override
        public String toString() {
            return flat ? "(" + channels + ")" : "(" + channels + ", " + height + ", " + width + ")";
        }
    }

    /**
     * The tensors of one forward that the loss needs.
     *
     * @param logits B x C
     * @param partitionInputs {@code a_{k-1}} per partition
     * @param frozenOutputs {@code o_k = f_k(a_{k-1})} per partition
     */
    record Forward(NDArray logits, List<NDArray> partitionInputs, List<NDArray> frozenOutputs) {}

    private final AdaptiveModel model;
    private final ModelSpec spec;
    private final List<Layer> layers;
    private final int[] bounds;
    private final List<Meta> metas;
    private final NDManager metaManager;
    private final Map<String, NDArray> metaTensors;
    private final List<String> trainableNames;
    private final List<NDArray> trainable;
    private boolean closed;

    /**
     * Freezes every parameter of {@code model} and attaches freshly initialised meta networks.
     *
     * @param partitions the layer boundaries {@code [b0, ..., bK]} (see {@link EcottaSettings})
     * @param seed seeds the meta convolution weights
     * @throws IllegalArgumentException when the model is not the built-in CNN or the partitions do
     *     not fit it; the message says why and what would work
     */
    EcottaNetwork(AdaptiveModel model, List<Integer> partitions, long seed) {
        requireSupported(model.spec());
        this.model = model;
        this.spec = model.spec();
        this.layers = builtinLayers(model);
        this.bounds = partitions.stream().mapToInt(Integer::intValue).toArray();
        List<FeatureShape> shapes = shapes(spec.inputShape(), layers);
        checkPartitions(bounds, shapes);
        model.setTrainable(ParameterSelector.all(), false);

        this.metaManager = model.manager().newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<NDArray> arrays = new ArrayList<>();
        List<Meta> built = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        try {
            for (int k = 1; k < bounds.length; k++) {
                FeatureShape in = shapes.get(bounds[k - 1]);
                FeatureShape out = shapes.get(bounds[k]);
                int stride = out.flat() ? 0 : Math.toIntExact(in.height() / out.height());
                String p = META + k + ".";
                Shape conv = out.flat() ? new Shape(out.channels(), in.size()) : new Shape(out.channels(), in.channels(), 3, 3);
                NDArray w = metaManager.create(torchDefaultUniform(conv, rnd), conv);
                Shape ch = new Shape(out.channels());
                Meta m = new Meta(stride, w, ones(ch), zeros(ch), zeros(ch), ones(ch),
                        ones(ch), zeros(ch), zeros(ch), ones(ch));
                String branch = p + (out.flat() ? "dense" : "conv");
                put(tensors, names, arrays, branch + ".weight", m.convWeight(), true);
                put(tensors, names, arrays, branch + "_bn.gamma", m.convGamma(), true);
                put(tensors, names, arrays, branch + "_bn.beta", m.convBeta(), true);
                put(tensors, names, arrays, branch + "_bn.running_mean", m.convMean(), false);
                put(tensors, names, arrays, branch + "_bn.running_var", m.convVar(), false);
                put(tensors, names, arrays, p + "bn.gamma", m.gamma(), true);
                put(tensors, names, arrays, p + "bn.beta", m.beta(), true);
                put(tensors, names, arrays, p + "bn.running_mean", m.mean(), false);
                put(tensors, names, arrays, p + "bn.running_var", m.var(), false);
                built.add(m);
            }
        } catch (RuntimeException e) {
            metaManager.close();
            throw e;
        }
        this.metas = List.copyOf(built);
        this.metaTensors = java.util.Collections.unmodifiableMap(tensors);
        this.trainableNames = List.copyOf(names);
        this.trainable = List.copyOf(arrays);
    }

    /**
     * Throws unless {@code spec} is a model EcoTTA can partition: the built-in CNN. A TorchScript
     * module runs as one opaque call in DJL, so meta networks cannot be inserted between its layers.
     */
    static void requireSupported(ModelSpec spec) {
        if (spec.kind() != ModelSpec.Kind.BUILTIN_CNN) {
            throw new IllegalArgumentException("ecotta needs to run the encoder partition by partition, but model "
                    + spec.version() + " is a TorchScript module, which DJL runs as one opaque forward call;"
                    + " ecotta supports the built-in CNN (ctta.model.kind = builtin-cnn) only. For a TorchScript model use"
                    + " tent or norm (see docs/strategies/ecotta.md, 'Your own model')");
        }
    }

    /** The number of partitions {@code K}. */
    int partitionCount() {
        return metas.size();
    }

    /** The model this network runs (frozen; owned by the strategy). */
    AdaptiveModel model() {
        return model;
    }

    /** Names of the trainable meta tensors, in order. */
    List<String> trainableNames() {
        return trainableNames;
    }

    /** The trainable meta tensors (conv weights, BN affine), aligned with {@link #trainableNames()}. */
    List<NDArray> trainable() {
        return trainable;
    }

    /** The trainable meta tensor names of partition {@code k} (1-based). */
    List<String> trainableNamesOf(int k) {
        List<String> out = new ArrayList<>();
        for (String n : trainableNames) {
            if (n.startsWith(META + k + ".")) {
                out.add(n);
            }
        }
        return out;
    }

    /** Every meta tensor (trainable and running statistics) copied to the heap, by name. */
    Map<String, StrategyState.Tensor> snapshot() {
        ensureOpen();
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        metaTensors.forEach((n, a) -> out.put(n, new StrategyState.Tensor(a.getShape().getShape(), a.toFloatArray())));
        return out;
    }

    /**
     * Writes heap values into the meta tensors, in place; every meta tensor must be present.
     *
     * @throws IllegalArgumentException for a missing name or a shape mismatch (nothing is written)
     */
    void restore(Map<String, StrategyState.Tensor> values) {
        ensureOpen();
        for (Map.Entry<String, NDArray> e : metaTensors.entrySet()) {
            StrategyState.Tensor t = values.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("ecotta state lacks meta tensor '" + e.getKey() + "'; expected "
                        + metaTensors.keySet());
            }
            if (!Arrays.equals(t.shape(), e.getValue().getShape().getShape())) {
                throw new IllegalArgumentException("ecotta meta tensor '" + e.getKey() + "' has shape "
                        + e.getValue().getShape() + " but the state has " + Arrays.toString(t.shape()));
            }
        }
        // In-place writes into leaves that require grad are only legal with grad mode off.
        EngineGrad.setGradMode(false);
        metaTensors.forEach((n, a) -> a.set(values.get(n).data()));
    }

    /**
     * Runs the network on {@code batch}; arrays are created in {@code scope}. Gradients are
     * recorded only inside a gradient session. The frozen layers always use the source (running)
     * statistics.
     */
    Forward forward(NDManager scope, InputBatch batch, MetaMode mode) {
        ensureOpen();
        int per = InputBatch.sampleLength(spec.inputShape());
        if (batch.sampleLength() != per) {
            throw new IllegalArgumentException("model expects samples of shape " + Arrays.toString(spec.inputShape())
                    + " but the batch has " + Arrays.toString(batch.sampleShape()));
        }
        long[] dims = new long[spec.inputShape().length + 1];
        dims[0] = batch.size();
        for (int i = 0; i < spec.inputShape().length; i++) {
            dims[i + 1] = spec.inputShape()[i];
        }
        NDArray a = spec.preprocessing().apply(scope.create(batch.features(), new Shape(dims)));
        a = run(a, 1, bounds[0]);
        List<NDArray> inputs = new ArrayList<>(metas.size());
        List<NDArray> outputs = new ArrayList<>(metas.size());
        for (int k = 1; k < bounds.length; k++) {
            Meta m = metas.get(k - 1);
            NDArray o = run(a, bounds[k - 1] + 1, bounds[k]);
            inputs.add(a);
            outputs.add(o);
            a = metaOutput(m, a, o, mode);
        }
        NDArray logits = run(a, bounds[bounds.length - 1] + 1, layers.size());
        return new Forward(logits, inputs, outputs);
    }

    /**
     * The frozen network alone (no meta networks): what {@link AdaptiveModel#predict} computes.
     * For tests that check this re-implementation against the model.
     */
    NDArray frozenLogits(NDManager scope, InputBatch batch) {
        long[] dims = batch.batchShape();
        NDArray a = spec.preprocessing().apply(scope.create(batch.features(), new Shape(dims)));
        return run(a, 1, layers.size());
    }

    /**
     * The self-distilled regulariser of partition {@code k} (0-based), ALGORITHMS.md 4.4 step 4:
     * {@code mean |BN_k(sg(o_k)) + G_k(sg(a_{k-1})) - sg(o_k)|}. Both inputs are detached, as in
     * the sample code, so its gradient reaches meta network {@code k} only; the meta BNs use batch
     * statistics without touching their running statistics (the main forward already did).
     */
    NDArray regularizer(Forward f, int k) {
        NDArray o = f.frozenOutputs().get(k).stopGradient();
        NDArray in = f.partitionInputs().get(k).stopGradient();
        NDArray modified = metaOutput(metas.get(k), in, o, MetaMode.BATCH_STATS);
        NDArray r = EcottaLosses.selfDistillation(modified, o);
        modified.close();
        in.close();
        o.close();
        return r;
    }

    /** Fingerprint of the frozen model: spec version and SHA-256 of every float parameter. */
    String frozenFingerprint() {
        MessageDigest d = sha256();
        d.update(spec.version().getBytes(StandardCharsets.UTF_8));
        model.snapshotParameters(ParameterSelector.all()).forEach((name, t) -> {
            d.update(name.getBytes(StandardCharsets.UTF_8));
            float[] v = t.data();
            ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            d.update(b);
        });
        return HexFormat.of().formatHex(d.digest());
    }

    /** The number of float values in the trainable meta tensors. */
    long trainableParameterCount() {
        long n = 0;
        for (NDArray a : trainable) {
            n += a.size();
        }
        return n;
    }

    /** Frees the meta tensors (not the model). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            metaManager.close();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private NDArray metaOutput(Meta m, NDArray in, NDArray o, MetaMode mode) {
        NDArray branch;
        if (m.stride() == 0) {
            NDArray flat = Blocks.batchFlatten(in);
            branch = Linear.linear(flat, m.convWeight(), null).singletonOrThrow();
            release(flat, in, o);
        } else {
            branch = Conv2d.conv2d(in, m.convWeight(), null, new Shape(m.stride(), m.stride()), new Shape(1, 1),
                    new Shape(1, 1), 1).singletonOrThrow();
        }
        NDArray normalised = metaBn(branch, m.convGamma(), m.convBeta(), m.convMean(), m.convVar(), mode);
        release(branch, in, o);
        NDArray activated = Activation.relu(normalised);
        release(normalised, in, o);
        NDArray scaled = metaBn(o, m.gamma(), m.beta(), m.mean(), m.var(), mode);
        NDArray out = scaled.add(activated);
        release(scaled, in, o);
        release(activated, in, o);
        return out;
    }

    /**
     * Closes the handle of an intermediate result as soon as the next one exists. Why: in DJL every
     * intermediate stays alive until its step scope closes, so without this the frozen layers would
     * hold all their activations through the backward pass, which is exactly the memory EcoTTA is
     * designed to save (ALGORITHMS.md 4.2). Autograd keeps its own reference to whatever the
     * backward pass needs, so closing the handle frees only what nothing needs. Never closes
     * the arrays in {@code keep} (the caller's inputs).
     */
    private static void release(NDArray intermediate, NDArray... keep) {
        for (NDArray k : keep) {
            if (intermediate == k) {
                return;
            }
        }
        intermediate.close();
    }

    private static NDArray metaBn(NDArray x, NDArray gamma, NDArray beta, NDArray mean, NDArray var, MetaMode mode) {
        switch (mode) {
            case RUNNING_STATS:
                return BatchNorm.batchNorm(x, mean, var, gamma, beta, 1, BN_MOMENTUM, BN_EPS, false).singletonOrThrow();
            case UPDATE_STATS:
                return BatchNorm.batchNorm(x, mean, var, gamma, beta, 1, BN_MOMENTUM, BN_EPS, true).singletonOrThrow();
            case BATCH_STATS:
            default:
                // The kernel writes running statistics into whatever buffers it gets: give it
                // step-scoped copies.
                NDArray m = mean.duplicate();
                NDArray v = var.duplicate();
                m.attach(x.getManager());
                v.attach(x.getManager());
                return BatchNorm.batchNorm(x, m, v, gamma, beta, 1, BN_MOMENTUM, BN_EPS, true).singletonOrThrow();
        }
    }

    /** Runs frozen layers {@code from..to} (1-based, inclusive; none when {@code from > to}). */
    private NDArray run(NDArray x, int from, int to) {
        NDArray a = x;
        for (int i = from; i <= to; i++) {
            Layer l = layers.get(i - 1);
            NDArray next;
            switch (l.kind()) {
                case CONV:
                    next = Conv2d.conv2d(a, l.weight(), l.bias(), new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                            .singletonOrThrow();
                    break;
                case BN:
                    next = BatchNorm.batchNorm(a, l.mean(), l.var(), l.weight(), l.bias(), 1, BN_MOMENTUM, BN_EPS,
                            false).singletonOrThrow();
                    break;
                case RELU:
                    next = Activation.relu(a);
                    break;
                case POOL:
                    next = Pool.maxPool2d(a, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
                    break;
                case FLATTEN:
                    next = Blocks.batchFlatten(a);
                    break;
                case LINEAR:
                default:
                    NDList out = Linear.linear(a, l.weight(), l.bias());
                    next = out.singletonOrThrow();
                    break;
            }
            release(a, x);
            a = next;
        }
        return a;
    }

    /** The built-in CNN's layers (see {@code BuiltinCnn}), bound to the model's parameter arrays. */
    private static List<Layer> builtinLayers(AdaptiveModel model) {
        Map<String, Parameter> p = model.namedParameters();
        Kind[] kinds = {Kind.CONV, Kind.BN, Kind.RELU, Kind.POOL, Kind.CONV, Kind.BN, Kind.RELU, Kind.POOL,
            Kind.FLATTEN, Kind.LINEAR, Kind.BN, Kind.RELU, Kind.LINEAR};
        Set<String> expected = new TreeSet<>();
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) {
            int number = i + 1;
            String prefix = String.format("%02d", number);
            switch (kinds[i]) {
                case CONV:
                case LINEAR:
                    String type = kinds[i] == Kind.CONV ? "Conv2d" : "Linear";
                    expected.add(prefix + type + "_weight");
                    expected.add(prefix + type + "_bias");
                    out.add(new Layer(number, kinds[i], array(p, prefix + type + "_weight"),
                            array(p, prefix + type + "_bias"), null, null));
                    break;
                case BN:
                    String bn = prefix + "BatchNormBlock_";
                    expected.addAll(List.of(bn + "gamma", bn + "beta", bn + "runningMean", bn + "runningVar"));
                    out.add(new Layer(number, Kind.BN, array(p, bn + "gamma"), array(p, bn + "beta"),
                            array(p, bn + "runningMean"), array(p, bn + "runningVar")));
                    break;
                default:
                    out.add(new Layer(number, kinds[i], null, null, null, null));
                    break;
            }
        }
        if (!expected.equals(new TreeSet<>(p.keySet()))) {
            throw new IllegalStateException("the built-in CNN's layout is not the one ecotta knows: parameters "
                    + new TreeSet<>(p.keySet()) + ", expected " + expected + "; update EcottaNetwork with BuiltinCnn");
        }
        return List.copyOf(out);
    }

    private static NDArray array(Map<String, Parameter> p, String name) {
        Parameter param = p.get(name);
        if (param == null) {
            throw new IllegalStateException("the built-in CNN has no parameter '" + name + "'; known: " + p.keySet()
                    + "; update EcottaNetwork with BuiltinCnn");
        }
        return param.getArray();
    }

    /** Per-sample shapes: index 0 is the input, index i the output of layer i (up to the flatten). */
    private static List<FeatureShape> shapes(int[] input, List<Layer> layers) {
        if (input.length != 3) {
            throw new IllegalArgumentException("ecotta needs image input (channels, height, width), got "
                    + Arrays.toString(input));
        }
        List<FeatureShape> out = new ArrayList<>();
        FeatureShape s = new FeatureShape(input[0], input[1], input[2], false);
        out.add(s);
        for (int i = 0; i < ENCODER_END; i++) {
            Layer l = layers.get(i);
            if (l.kind() == Kind.CONV) {
                s = new FeatureShape(l.weight().getShape().get(0), s.height(), s.width(), false);
            } else if (l.kind() == Kind.POOL) {
                s = new FeatureShape(s.channels(), s.height() / 2, s.width() / 2, false);
            } else if (l.kind() == Kind.FLATTEN) {
                s = new FeatureShape(s.size(), 0, 0, true);
            } else if (l.kind() == Kind.LINEAR) {
                s = new FeatureShape(l.weight().getShape().get(0), 0, 0, true);
            }
            out.add(s);
        }
        return out;
    }

    private static void checkPartitions(int[] b, List<FeatureShape> shapes) {
        String key = EcottaSettings.PREFIX + ".partitions";
        if (b.length < 2) {
            throw new IllegalArgumentException(key + " must hold at least two boundaries, got " + Arrays.toString(b));
        }
        if (b[b.length - 1] > ENCODER_END) {
            throw new IllegalArgumentException(key + " must end at layer " + ENCODER_END + " or earlier (layer 13 is"
                    + " the classifier), got " + Arrays.toString(b));
        }
        for (int k = 1; k < b.length; k++) {
            if (b[k] <= b[k - 1] || b[k - 1] < 0) {
                throw new IllegalArgumentException(key + " must be strictly increasing non-negative layer numbers, got "
                        + Arrays.toString(b));
            }
            FeatureShape in = shapes.get(b[k - 1]);
            FeatureShape out = shapes.get(b[k]);
            if (out.flat()) {
                continue; // a dense branch maps any input to any vector
            }
            long stride = in.height() / out.height();
            // A 3x3 convolution with padding 1 and this stride must reproduce the partition's output size.
            boolean fits = stride >= 1 && (in.height() - 1) / stride + 1 == out.height()
                    && (in.width() - 1) / stride + 1 == out.width() && in.width() / out.width() == stride;
            if (!fits) {
                throw new IllegalArgumentException(key + ": partition " + k + " (layers " + (b[k - 1] + 1) + ".." + b[k]
                        + ") maps " + in + " to " + out + ", which no strided 3x3 convolution reproduces");
            }
        }
    }

    private NDArray ones(Shape s) {
        return metaManager.ones(s);
    }

    private NDArray zeros(Shape s) {
        return metaManager.zeros(s);
    }

    private static void put(Map<String, NDArray> tensors, List<String> names, List<NDArray> arrays, String name,
            NDArray a, boolean trainable) {
        // Never let an enclosing step scope take meta state with it.
        NDScope.unregister(a);
        if (trainable) {
            a.setRequiresGradient(true);
            names.add(name);
            arrays.add(a);
        }
        tensors.put(name, a);
    }

    /** PyTorch's default Conv2d initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    private static float[] torchDefaultUniform(Shape s, SplittableRandom rnd) {
        long fanIn = s.size() / s.get(0);
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] w = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return w;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ecotta network is closed");
        }
    }
}
