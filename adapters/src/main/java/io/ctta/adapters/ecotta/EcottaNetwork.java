package io.ctta.adapters.ecotta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.internal.EngineGrad;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ModelStages;
import io.ctta.runtime.memory.StepScope;
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
import java.util.SplittableRandom;

/**
 * The EcoTTA network (Song et al., CVPR 2023; docs/strategies/ecotta.md): the frozen model run stage by stage through its
 * {@link ModelStages} (eval mode, source BN statistics), split into a stem, {@code K} partitions
 * and a head, with one meta network per partition:
 * {@code a_k = BN_k(f_k(a_{k-1})) + G_k(a_{k-1})}, {@code G_k(a) = ReLU(BN(Conv3x3(a)))} with
 * stride {@code H_in / H_out}, padding 1 and no bias. A partition whose output is a feature
 * vector gets the dense analogue, {@code G_k(a) = ReLU(BN(W · flatten(a)))} without bias: a
 * convolution whose kernel covers the whole input map (our extension; the paper partitions
 * convolutional encoders only).
 *
 * <p>The stages are the model's own: the built-in CNN's thirteen layers (twelve stages and the
 * head), the built-in ResNet's layers, or the {@code stage1..stageN} methods a TorchScript module
 * exports (docs/models.md). Partition boundaries are stage numbers: the stem is stages
 * {@code 1..b0}, partition {@code k} is stages {@code b(k-1)+1..bk}, the rest and the head follow.
 * Feature shapes come from running a probe batch through the stages once.
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

    private static final float BN_EPS = 1e-5f;
    private static final float BN_MOMENTUM = 0.1f;
    private static final String META = "meta.";

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
    private final ModelStages stages;
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
     * @param partitions the stage boundaries {@code [b0, ..., bK]} (see {@link EcottaSettings}); empty
     *     for the model's default ({@link #defaultPartitions})
     * @param seed seeds the meta convolution weights
     * @throws IllegalArgumentException when the model exposes no stages or the partitions do not
     *     fit it; the message says why and what would work
     */
    EcottaNetwork(AdaptiveModel model, List<Integer> partitions, long seed) {
        this.model = model;
        this.spec = model.spec();
        this.stages = stagesOf(model);
        List<FeatureShape> shapes = shapes(model, stages);
        this.bounds = (partitions.isEmpty() ? defaultPartitions(model, stages.count()) : partitions).stream()
                .mapToInt(Integer::intValue).toArray();
        checkPartitions(bounds, shapes, stages.count());
        // Frozen, but gradients flow back through the frozen layers to the meta networks: keep the
        // default layout (libtorch's NHWC BatchNorm backward is less accurate on one thread).
        model.preferChannelsLast(false);
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

    /** The model's stages, or a refusal that says how to export them. */
    private static ModelStages stagesOf(AdaptiveModel model) {
        try {
            return model.stages();
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("ecotta runs the frozen model partition by partition, but model "
                    + model.spec().version() + " cannot be run stage by stage: " + e.getMessage(), e);
        }
    }

    /**
     * The default partitions: {@code [0, 4, 8, 11]} for the built-in CNN (one partition per conv
     * stage and one for the dense layer), {@code [3, 4, 5, 6]} for the built-in ResNet (one per
     * residual block), and for any other model the first stage as the stem and one partition per
     * following stage, at most four: {@code [1, 2, ..., min(N, 5)]}.
     */
    static List<Integer> defaultPartitions(AdaptiveModel model, int stageCount) {
        switch (model.spec().kind()) {
            case BUILTIN_CNN:
                return List.of(0, 4, 8, 11);
            case BUILTIN_RESNET:
                return List.of(3, 4, 5, 6);
            default:
                List<Integer> b = new ArrayList<>();
                for (int i = 1; i <= Math.min(stageCount, 5); i++) {
                    b.add(i);
                }
                return b.size() >= 2 ? b : List.of(0, stageCount);
        }
    }

    /** The boundaries in use, {@code [b0, ..., bK]}. */
    List<Integer> partitions() {
        return java.util.Arrays.stream(bounds).boxed().toList();
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
        metaTensors.forEach((n, a) -> io.ctta.runtime.memory.InPlace.write(a, values.get(n).data()));
    }

    /**
     * Runs the network on {@code batch}; arrays are created in {@code scope}. Gradients are
     * recorded only inside a gradient session. The frozen layers always use the source (running)
     * statistics.
     */
    Forward forward(NDManager scope, InputBatch batch, MetaMode mode) {
        ensureOpen();
        NDArray a = run(model.preprocessedInput(scope, batch), 1, bounds[0]);
        List<NDArray> inputs = new ArrayList<>(metas.size());
        List<NDArray> outputs = new ArrayList<>(metas.size());
        for (int k = 1; k < bounds.length; k++) {
            Meta m = metas.get(k - 1);
            NDArray o = run(a, bounds[k - 1] + 1, bounds[k]);
            inputs.add(a);
            outputs.add(o);
            a = metaOutput(m, a, o, mode);
        }
        NDArray features = run(a, bounds[bounds.length - 1] + 1, stages.count());
        NDArray logits = stages.classify(features);
        release(features, a);
        return new Forward(logits, inputs, outputs);
    }

    /**
     * The frozen network alone (no meta networks): what {@link AdaptiveModel#predict} computes.
     * For tests that check this re-implementation against the model.
     */
    NDArray frozenLogits(NDManager scope, InputBatch batch) {
        NDArray x = model.preprocessedInput(scope, batch);
        NDArray features = run(x, 1, stages.count());
        NDArray logits = stages.classify(features);
        release(features, x);
        return logits;
    }

    /**
     * The self-distilled regulariser of partition {@code k} (0-based; docs/strategies/ecotta.md, per-batch step 3):
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
     * designed to save (Song et al., CVPR 2023). Autograd keeps its own reference to whatever the
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

    /** Runs frozen stages {@code from..to} (1-based, inclusive; none when {@code from > to}). */
    private NDArray run(NDArray x, int from, int to) {
        NDArray a = x;
        for (int i = from; i <= to; i++) {
            NDArray next = stages.run(i, a);
            release(a, x);
            a = next;
        }
        return a;
    }

    /**
     * Per-sample shapes: index 0 is the model input, index {@code i} the output of stage {@code i},
     * read off a probe batch of two zero samples run through the stages (no gradient, nothing kept).
     */
    private static List<FeatureShape> shapes(AdaptiveModel model, ModelStages stages) {
        List<FeatureShape> out = new ArrayList<>();
        int[] input = model.spec().inputShape();
        if (input.length != 3) {
            throw new IllegalArgumentException("ecotta needs image input (channels, height, width), got "
                    + Arrays.toString(input));
        }
        InputBatch probe = new InputBatch(2, input, new float[2 * InputBatch.sampleLength(input)]);
        try (StepScope step = model.newStep()) {
            NDArray a = model.preprocessedInput(step.manager(), probe);
            out.add(shapeOf(a));
            for (int k = 1; k <= stages.count(); k++) {
                a = stages.run(k, a);
                out.add(shapeOf(a));
            }
        }
        return out;
    }

    private static FeatureShape shapeOf(NDArray a) {
        Shape s = a.getShape();
        if (s.dimension() == 4) {
            return new FeatureShape(s.get(1), s.get(2), s.get(3), false);
        }
        return new FeatureShape(s.size() / s.get(0), 0, 0, true);
    }

    private static void checkPartitions(int[] b, List<FeatureShape> shapes, int stageCount) {
        String key = EcottaSettings.PREFIX + ".partitions";
        if (b.length < 2) {
            throw new IllegalArgumentException(key + " must hold at least two boundaries, got " + Arrays.toString(b));
        }
        if (b[b.length - 1] > stageCount) {
            throw new IllegalArgumentException(key + " must end at stage " + stageCount + " or earlier (the model has "
                    + stageCount + " stages before its head), got " + Arrays.toString(b));
        }
        for (int k = 1; k < b.length; k++) {
            if (b[k] <= b[k - 1] || b[k - 1] < 0) {
                throw new IllegalArgumentException(key + " must be strictly increasing non-negative stage numbers, got "
                        + Arrays.toString(b));
            }
            FeatureShape in = shapes.get(b[k - 1]);
            FeatureShape out = shapes.get(b[k]);
            if (out.flat()) {
                continue; // a dense branch maps any input to any vector
            }
            if (in.flat()) {
                throw new IllegalArgumentException(key + ": partition " + k + " (stages " + (b[k - 1] + 1) + ".." + b[k]
                        + ") maps a feature vector " + in + " to a feature map " + out + ", which no meta network fits");
            }
            long stride = in.height() / out.height();
            // A 3x3 convolution with padding 1 and this stride must reproduce the partition's output size.
            boolean fits = stride >= 1 && (in.height() - 1) / stride + 1 == out.height()
                    && (in.width() - 1) / stride + 1 == out.width() && in.width() / out.width() == stride;
            if (!fits) {
                throw new IllegalArgumentException(key + ": partition " + k + " (stages " + (b[k - 1] + 1) + ".." + b[k]
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
