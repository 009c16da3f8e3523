package io.ctta.runtime.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.internal.EngineGrad;
import io.ctta.runtime.memory.InPlace;
import io.ctta.runtime.memory.NativeMemory;
import io.ctta.runtime.memory.StepScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The single owner of one DJL model and its root {@link NDManager}: forward passes in the three
 * {@link ForwardMode}s, named parameter groups, heap snapshots and parameter files.
 *
 * <p>Threading: not thread-safe; confined to one actor (one thread at a time). Every call sets
 * and resets the thread-local engine state it needs (grad mode, NDScope) before it returns.
 *
 * <p>Memory: parameters live in {@link #manager()}; nothing else is ever created there. Per-call
 * arrays live in a {@link StepScope} ({@link #newStep()}) that the caller closes. See
 * docs/memory-management.md.
 *
 * <p>TorchScript models: loaded with trainable parameters, their structure read from the file
 * (which modules are normalisation layers, which tensors are buffers); running statistics are
 * parameters of this model like the built-in ones. {@link ForwardMode#BATCH_STATS} puts only
 * the BatchNorm modules in training mode (dropout stays off) and restores the running statistics
 * when the step's scope closes. BN-α observes each BatchNorm layer's batch statistics with one
 * forward per layer (TorchScriptNetwork). See docs/models.md.
 */
public final class AdaptiveModel implements AutoCloseable {

    private static final String ENGINE = "PyTorch";
    private static final long FILE_MAGIC = 0x4354_5441_5041_5231L; // "CTTAPAR1"

    private final ModelSpec spec;
    private final Device device;
    private final long seed;
    private final Model model;
    private final NDManager manager;
    private final Network network;
    private final Map<String, Parameter> parameters;
    private final Shape inputShape;
    private boolean channelsLast = true;
    private boolean closed;

    private AdaptiveModel(ModelSpec spec, Device device, long seed, Model model, Network network) {
        this.spec = spec;
        this.device = device;
        this.seed = seed;
        this.model = model;
        this.manager = model.getNDManager();
        this.network = network;
        this.parameters = network.parameters();
        int[] s = spec.inputShape();
        long[] dims = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            dims[i] = s[i];
        }
        this.inputShape = new Shape(dims);
    }

    /**
     * Builds the model on {@code device}. A built-in model gets parameters drawn from
     * {@code seed} (He-uniform weights, zero biases, unit BN scale; the MLP PyTorch's default
     * {@code nn.Linear} initialisation, {@link TorchLinearInit}), independent of the engine's
     * global RNG; a TorchScript model is loaded with trainable parameters, its buffers bound, and
     * {@code seed} is only kept for {@link #copy()}.
     *
     * @throws IllegalArgumentException when the TorchScript file cannot be loaded; the message says why
     */
    public static AdaptiveModel create(ModelSpec spec, Device device, long seed) {
        ai.djl.Device djl = device.toDjl();
        String name = switch (spec.kind()) {
            case BUILTIN_CNN -> "builtin-cnn";
            case BUILTIN_RESNET -> "builtin-resnet";
            case TABULAR_MLP -> "tabular-mlp";
            case MLP -> "mlp";
            case TORCHSCRIPT -> spec.path().getFileName().toString();
        };
        Model model = Model.newInstance(name, djl, ENGINE);
        try {
            EngineGrad.setGradMode(false);
            if (spec.kind() == ModelSpec.Kind.TORCHSCRIPT) {
                Path file = spec.path().toAbsolutePath();
                TorchScriptNetwork network = TorchScriptNetwork.load(model, file);
                return new AdaptiveModel(spec, device, seed, model, network);
            }
            BatchNormBlock.Mode mode = new BatchNormBlock.Mode();
            Block block = switch (spec.kind()) {
                case TABULAR_MLP -> TabularMlp.create(spec.tabular(), spec.numClasses());
                case MLP -> Mlp.create(spec.mlp());
                case BUILTIN_RESNET -> BuiltinResNet.create(spec.numClasses(), mode);
                default -> BuiltinCnn.create(spec.numClasses(), mode);
            };
            model.setBlock(block);
            long[] dims = new long[spec.inputShape().length + 1];
            dims[0] = 1;
            for (int i = 0; i < spec.inputShape().length; i++) {
                dims[i + 1] = spec.inputShape()[i];
            }
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(dims));
            Network network = new BlockNetwork(block, new ParameterStore(model.getNDManager(), false),
                    spec.kind() == ModelSpec.Kind.TABULAR_MLP || spec.kind() == ModelSpec.Kind.MLP ? null : mode);
            AdaptiveModel m = new AdaptiveModel(spec, device, seed, model, network);
            if (spec.kind() == ModelSpec.Kind.MLP) {
                TorchLinearInit.apply(m.parameters, seed);
            } else {
                m.initialiseSeeded(seed);
            }
            return m;
        } catch (IOException | MalformedModelException e) {
            model.close();
            throw new IllegalArgumentException("cannot load TorchScript model " + spec.path() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private void initialiseSeeded(long s) {
        SplittableRandom rnd = new SplittableRandom(s);
        for (Parameter p : parameters.values()) {
            if (p.getType() != Parameter.Type.WEIGHT) {
                continue;
            }
            Shape shape = p.getArray().getShape();
            long fanIn = shape.size() / shape.get(0);
            double bound = Math.sqrt(6.0 / fanIn);
            float[] w = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
            InPlace.write(p.getArray(), w);
        }
    }

    /** The spec this model was built from. */
    public ModelSpec spec() {
        return spec;
    }

    /** The device its tensors live on. */
    public Device device() {
        return device;
    }

    /** The root manager holding the parameters. For strategies: create sub-managers, never arrays. */
    public NDManager manager() {
        ensureOpen();
        return manager;
    }

    /** Opens the native scope of one step; close it (try-with-resources) on the same thread. */
    public StepScope newStep() {
        ensureOpen();
        return new StepScope(manager);
    }

    /** Bytes of the open NDArrays under this model's manager (parameters, optimizer state, leaks). */
    public long liveBytes() {
        ensureOpen();
        return NativeMemory.liveBytes(manager);
    }

    /** The number of open NDArrays under the model's manager (parameters, optimizer state, leaks). */
    public long liveArrayCount() {
        ensureOpen();
        return NativeMemory.liveArrays(manager);
    }

    /**
     * Eval-mode prediction (running BN statistics) with softmax probabilities copied to the heap.
     * All native memory of the call is released before it returns. The output's model version is
     * 0 and its step {@link StepOutcome#none()}; strategies stamp their own.
     */
    public ModelOutput predict(InputBatch batch) {
        try (StepScope step = newStep()) {
            NDList logits = forward(step.manager(), batch, ForwardMode.EVAL);
            return toOutput(logits.head(), 0, StepOutcome.none());
        }
    }

    /** Softmax of {@code logits} (B x C) on the heap, as a {@link ModelOutput}. */
    public static ModelOutput toOutput(NDArray logits, long modelVersion, StepOutcome outcome) {
        Shape s = logits.getShape();
        float[] probs = logits.stopGradient().softmax(-1).toFloatArray();
        return new ModelOutput(Math.toIntExact(s.get(0)), Math.toIntExact(s.get(1)), probs, modelVersion, outcome);
    }

    /**
     * Forward pass for strategies; returns the logits (B x C). The input is created in
     * {@code scope} (normally {@link StepScope#manager()}), preprocessed, and run in {@code mode}.
     * Gradients are recorded only if the caller opened a gradient session. A batch-statistics
     * forward leaves the running statistics as they were once {@code scope} closes.
     */
    public NDList forward(NDManager scope, InputBatch batch, ForwardMode mode) {
        return forward(scope, batch, mode, 1f);
    }

    /**
     * As {@link #forward(NDManager, InputBatch, ForwardMode)}; with {@link ForwardMode#BATCH_STATS}
     * and {@code batchStatsWeight < 1} BN uses the mix {@code (1-α)·running + α·batch} (BN-α).
     *
     * @throws UnsupportedOperationException for BN-α on a model that cannot compute it
     *     ({@link #supportsMixedStatistics()})
     */
    public NDList forward(NDManager scope, InputBatch batch, ForwardMode mode, float batchStatsWeight) {
        ensureOpen();
        if (!(batchStatsWeight > 0f && batchStatsWeight <= 1f)) {
            throw new IllegalArgumentException("batch-statistics weight must be in (0, 1], got " + batchStatsWeight);
        }
        if (batchStatsWeight < 1f && mode != ForwardMode.BATCH_STATS) {
            throw new IllegalArgumentException("a batch-statistics weight below 1 needs ForwardMode.BATCH_STATS, got "
                    + mode);
        }
        return new NDList(network.forward(preprocessedInput(scope, batch), mode, batchStatsWeight));
    }

    /**
     * Forward pass that also returns the model's features, the input of its classifier head:
     * {@code NDList(features, logits)} with features (B x F) and logits (B x C), both created in
     * {@code scope}. Used by strategies that work on the representation (RMT's prototypes,
     * ReLoop2's error memory, the plasticity probes). Built-in models split before their last
     * layer; a TorchScript model exports {@code features(x)} and {@code classify(f)}.
     *
     * @throws UnsupportedOperationException for a TorchScript model without those methods; the
     *     message says how to export them
     */
    public NDList forwardWithFeatures(NDManager scope, InputBatch batch, ForwardMode mode) {
        ensureOpen();
        NDList out = network.forwardWithFeatures(preprocessedInput(scope, batch), mode);
        NDArray features = out.get(0);
        if (features.getShape().dimension() != 2) {
            NDArray flat = features.reshape(features.getShape().get(0), -1);
            return new NDList(flat, out.get(1));
        }
        return out;
    }

    /**
     * The model's encoder as a chain of stages and its head, in eval mode (see {@link ModelStages}).
     *
     * @throws UnsupportedOperationException for a TorchScript model without stage methods; the
     *     message says how to export them
     */
    public ModelStages stages() {
        ensureOpen();
        return network.stages();
    }

    /**
     * The batch as the network's input: created in {@code scope}, checked against the spec's
     * sample shape and normalised by the spec's preprocessing.
     *
     * @throws IllegalArgumentException when the samples do not have the model's input shape
     */
    public NDArray preprocessedInput(NDManager scope, InputBatch batch) {
        ensureOpen();
        return spec.preprocessing().apply(inputArray(scope, batch));
    }

    /**
     * Whether BN-α can be computed for this model: built-in models with BatchNorm, TorchScript
     * modules whose normalisation layers are all torch.nn BatchNorm with a usable momentum.
     */
    public boolean supportsMixedStatistics() {
        return network.supportsMixedStatistics();
    }

    /** The methods a TorchScript model exports ({@code forward}, {@code features}, ...); empty for built-ins. */
    public List<String> exportedMethods() {
        return network.methods();
    }

    /**
     * The module tree of a TorchScript model, or null for a built-in model. Not API: for
     * {@code ctta model inspect} and the refusals of strategies.
     */
    public io.ctta.runtime.model.torchscript.TorchScriptArchive torchScriptArchive() {
        return network instanceof TorchScriptNetwork t ? t.archive() : null;
    }

    /** The raw input batch as an array in {@code scope}, checked against the spec's sample shape. */
    private NDArray inputArray(NDManager scope, InputBatch batch) {
        if (batch.sampleLength() != InputBatch.sampleLength(spec.inputShape())) {
            throw new IllegalArgumentException("model expects samples of shape " + Arrays.toString(spec.inputShape())
                    + " but the batch has " + Arrays.toString(batch.sampleShape()));
        }
        long[] dims = new long[inputShape.dimension() + 1];
        dims[0] = batch.size();
        System.arraycopy(inputShape.getShape(), 0, dims, 1, inputShape.dimension());
        return scope.create(batch.features(), new Shape(dims));
    }

    /** The parameters selected, in model order. */
    public List<Parameter> parameters(ParameterSelector selector) {
        ensureOpen();
        List<Parameter> out = new ArrayList<>();
        for (String n : selector.select(parameters)) {
            out.add(parameters.get(n));
        }
        return out;
    }

    /**
     * The parameters a strategy may train: every parameter that is not a buffer (running
     * statistics, counters and other state a module keeps besides its weights).
     */
    public ParameterSelector learnable() {
        java.util.Set<String> buffers = network.buffers();
        return (n, p) -> !buffers.contains(n) && !ParameterSelector.isRunningStatistic(n, p);
    }

    /** The names of the parameters selected, in model order. */
    public List<String> parameterNames(ParameterSelector selector) {
        ensureOpen();
        return selector.select(parameters);
    }

    /** Every parameter by name, in model order (read-only view). */
    public Map<String, Parameter> namedParameters() {
        ensureOpen();
        return parameters;
    }

    /**
     * Makes the selected parameters trainable (or frozen). BN running statistics are never made
     * trainable. Returns the number of parameters changed.
     */
    public int setTrainable(ParameterSelector selector, boolean trainable) {
        ensureOpen();
        int n = 0;
        for (String name : selector.select(parameters)) {
            Parameter p = parameters.get(name);
            if (trainable && (ParameterSelector.isRunningStatistic(name, p) || network.buffers().contains(name))) {
                continue;
            }
            p.freeze(!trainable);
            n++;
        }
        network.trainabilityChanged();
        return n;
    }

    /**
     * Whether a TorchScript model keeps its convolution kernels in the channels-last memory layout
     * while none of its parameters is trainable ({@code ctta.model.channels-last}, on by default):
     * the same values, computed faster by libtorch's NHWC kernels (docs/models.md). Built-in
     * models ignore it.
     */
    public void preferChannelsLast(boolean on) {
        ensureOpen();
        channelsLast = on;
        network.preferChannelsLast(on);
    }

    /** Freezes every parameter, then makes the selected ones trainable. */
    public void trainOnly(ParameterSelector selector) {
        setTrainable(ParameterSelector.all(), false);
        setTrainable(selector, true);
    }

    /**
     * Copies the selected float32 parameters to the heap; {@link ParameterSelector#all()} includes
     * BN running statistics and other float buffers. Non-float buffers (e.g.
     * {@code num_batches_tracked}) are skipped.
     */
    public Map<String, StrategyState.Tensor> snapshotParameters(ParameterSelector selector) {
        ensureOpen();
        network.settle();
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        for (String name : selector.select(parameters)) {
            NDArray a = parameters.get(name).getArray();
            if (a.getDataType() != DataType.FLOAT32) {
                continue;
            }
            out.put(name, new StrategyState.Tensor(a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
    }

    /**
     * Writes heap tensors back into the named parameters, in place.
     *
     * @throws IllegalArgumentException for an unknown name or a shape mismatch
     */
    public void restoreParameters(Map<String, StrategyState.Tensor> values) {
        ensureOpen();
        network.settle();
        for (Map.Entry<String, StrategyState.Tensor> e : values.entrySet()) {
            Parameter p = parameters.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("model has no parameter '" + e.getKey() + "'; known: "
                        + parameters.keySet());
            }
            NDArray a = p.getArray();
            long[] shape = e.getValue().shape();
            if (!Arrays.equals(a.getShape().getShape(), shape)) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has shape " + a.getShape()
                        + " but the value has " + Arrays.toString(shape));
            }
        }
        // In-place writes into leaves that require grad are only legal with grad mode off.
        EngineGrad.setGradMode(false);
        for (Map.Entry<String, StrategyState.Tensor> e : values.entrySet()) {
            InPlace.write(parameters.get(e.getKey()).getArray(), e.getValue().data());
        }
    }

    /**
     * A deep copy: same spec and device, same parameter values and trainable flags, its own native
     * memory. Used for teachers and for fresh strategy instances.
     */
    public AdaptiveModel copy() {
        ensureOpen();
        AdaptiveModel c = create(spec, device, seed);
        try {
            c.restoreParameters(snapshotParameters(ParameterSelector.all()));
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                Parameter mine = e.getValue();
                if (!ParameterSelector.isRunningStatistic(e.getKey(), mine) && !network.buffers().contains(e.getKey())) {
                    c.parameters.get(e.getKey()).freeze(!mine.requiresGradient());
                }
            }
            c.preferChannelsLast(channelsLast);
            return c;
        } catch (RuntimeException ex) {
            c.close();
            throw ex;
        }
    }

    /**
     * Writes every float32 parameter to {@code file} atomically (temp file, fsync, rename). The
     * file holds parameters and the spec's version, never a TorchScript module.
     */
    public void saveParameters(Path file) throws IOException {
        Map<String, StrategyState.Tensor> all = snapshotParameters(ParameterSelector.all());
        TensorFiles.writeAtomically(file, out -> {
            out.writeLong(FILE_MAGIC);
            out.writeUTF(spec.version());
            TensorFiles.writeTensors(out, all);
        });
    }

    /**
     * Loads parameters written by {@link #saveParameters(Path)}.
     *
     * @throws IOException when the file cannot be read or is not a parameter file
     * @throws IllegalArgumentException when it was written for another model version or its names
     *     or shapes do not match this model
     */
    public void loadParameters(Path file) throws IOException {
        ensureOpen();
        Map<String, StrategyState.Tensor> values = TensorFiles.read(file, in -> {
            if (in.readLong() != FILE_MAGIC) {
                throw new IOException(file + " is not a ctta parameter file");
            }
            String version = in.readUTF();
            if (!version.equals(spec.version())) {
                throw new IllegalArgumentException(file + " holds parameters of model version '" + version
                        + "' but this model is '" + spec.version() + "'; delete the file to retrain");
            }
            return TensorFiles.readTensors(in, file);
        });
        restoreParameters(values);
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /** Frees the model and all its native memory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            network.close();
        } finally {
            model.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model " + spec.version() + " is closed");
        }
    }
}
