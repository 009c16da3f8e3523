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
 * <p>TorchScript models: loaded with {@code trainParam=true}. A TorchScript module can only be
 * switched to train mode as a whole, so {@link ForwardMode#BATCH_STATS} runs it in train mode and
 * restores the BN running buffers afterwards; dropout inside the module is then active, so export
 * models for TENT/BN adaptation without dropout (or p=0). BN-α is not available for them.
 */
public final class AdaptiveModel implements AutoCloseable {

    private static final String ENGINE = "PyTorch";
    private static final long FILE_MAGIC = 0x4354_5441_5041_5231L; // "CTTAPAR1"

    private final ModelSpec spec;
    private final Device device;
    private final long seed;
    private final Model model;
    private final NDManager manager;
    private final Block block;
    private final ParameterStore store;
    private final Map<String, Parameter> parameters;
    private final Shape inputShape;
    private final BatchNormBlock.Mode bnMode;
    private boolean closed;

    private AdaptiveModel(ModelSpec spec, Device device, long seed, Model model, BatchNormBlock.Mode bnMode) {
        this.bnMode = bnMode;
        this.spec = spec;
        this.device = device;
        this.seed = seed;
        this.model = model;
        this.manager = model.getNDManager();
        this.block = model.getBlock();
        this.store = new ParameterStore(manager, false);
        Map<String, Parameter> named = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            named.put(p.getKey(), p.getValue());
        }
        this.parameters = Collections.unmodifiableMap(named);
        int[] s = spec.inputShape();
        long[] dims = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            dims[i] = s[i];
        }
        this.inputShape = new Shape(dims);
    }

    /**
     * Builds the model on {@code device}. The built-in CNN gets parameters drawn from
     * {@code seed} (He-uniform weights, zero biases, unit BN scale), independent of the engine's
     * global RNG; a TorchScript model is loaded with trainable parameters and {@code seed} is only
     * kept for {@link #copy()}.
     *
     * @throws IllegalArgumentException when the TorchScript file cannot be loaded
     */
    public static AdaptiveModel create(ModelSpec spec, Device device, long seed) {
        ai.djl.Device djl = device.toDjl();
        Model model = Model.newInstance(spec.kind() == ModelSpec.Kind.BUILTIN_CNN ? "builtin-cnn"
                : spec.kind() == ModelSpec.Kind.TABULAR_MLP ? "tabular-mlp"
                : spec.path().getFileName().toString(), djl, ENGINE);
        try {
            EngineGrad.setGradMode(false);
            if (spec.kind() == ModelSpec.Kind.TABULAR_MLP) {
                Block block = TabularMlp.create(spec.tabular(), spec.numClasses());
                model.setBlock(block);
                block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, spec.tabular().inputLength()));
                AdaptiveModel m = new AdaptiveModel(spec, device, seed, model, null);
                m.initialiseSeeded(seed);
                return m;
            }
            if (spec.kind() == ModelSpec.Kind.BUILTIN_CNN) {
                BatchNormBlock.Mode mode = new BatchNormBlock.Mode();
                Block block = BuiltinCnn.create(spec.numClasses(), mode);
                model.setBlock(block);
                long[] dims = new long[spec.inputShape().length + 1];
                dims[0] = 1;
                for (int i = 0; i < spec.inputShape().length; i++) {
                    dims[i + 1] = spec.inputShape()[i];
                }
                block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(dims));
                AdaptiveModel m = new AdaptiveModel(spec, device, seed, model, mode);
                m.initialiseSeeded(seed);
                return m;
            }
            Path file = spec.path().toAbsolutePath();
            model.load(file.getParent(), file.getFileName().toString(), Map.of("trainParam", "true"));
            return new AdaptiveModel(spec, device, seed, model, null);
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
            p.getArray().set(w);
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
     * Gradients are recorded only if the caller opened a gradient session.
     */
    public NDList forward(NDManager scope, InputBatch batch, ForwardMode mode) {
        return forward(scope, batch, mode, 1f);
    }

    /**
     * As {@link #forward(NDManager, InputBatch, ForwardMode)}; with {@link ForwardMode#BATCH_STATS}
     * and {@code batchStatsWeight < 1} BN uses the mix {@code (1-α)·running + α·batch} (BN-α).
     *
     * @throws UnsupportedOperationException for BN-α on a TorchScript model
     */
    public NDList forward(NDManager scope, InputBatch batch, ForwardMode mode, float batchStatsWeight) {
        return run(scope, batch, mode, batchStatsWeight, false);
    }

    /**
     * Forward pass that also returns the input of the last layer: {@code NDList(features, logits)}
     * with features (B x F) and logits (B x C), both created in {@code scope}. Used by strategies
     * that key a memory on the model's last hidden representation (ReLoop2). Available for the
     * built-in models (a sequence of blocks whose last block is the classifier head); a
     * TorchScript module is opaque.
     *
     * @throws UnsupportedOperationException for a TorchScript model
     */
    public NDList forwardWithFeatures(NDManager scope, InputBatch batch, ForwardMode mode) {
        if (spec.kind() == ModelSpec.Kind.TORCHSCRIPT) {
            throw new UnsupportedOperationException("forwardWithFeatures needs a built-in model; a TorchScript"
                    + " module does not expose its last hidden layer");
        }
        return run(scope, batch, mode, 1f, true);
    }

    private NDList run(NDManager scope, InputBatch batch, ForwardMode mode, float batchStatsWeight,
            boolean withFeatures) {
        ensureOpen();
        if (!(batchStatsWeight > 0f && batchStatsWeight <= 1f)) {
            throw new IllegalArgumentException("batch-statistics weight must be in (0, 1], got " + batchStatsWeight);
        }
        NDArray in = spec.preprocessing().apply(inputArray(scope, batch));
        if (withFeatures) {
            // Built-in models only (checked by the caller): run the children one by one and keep
            // the input of the last one, the classifier head.
            if (bnMode != null) {
                bnMode.mode = mode;
                bnMode.alpha = batchStatsWeight;
            }
            try {
                NDList current = new NDList(in);
                List<Block> children = block.getChildren().values();
                for (int i = 0; i < children.size() - 1; i++) {
                    current = children.get(i).forward(store, current, mode == ForwardMode.TRAIN, null);
                }
                NDArray features = current.singletonOrThrow();
                NDList logits = children.get(children.size() - 1).forward(store, current, mode == ForwardMode.TRAIN, null);
                return new NDList(features, logits.singletonOrThrow());
            } finally {
                if (bnMode != null) {
                    bnMode.mode = ForwardMode.EVAL;
                    bnMode.alpha = 1f;
                }
            }
        }
        if (spec.kind() == ModelSpec.Kind.BUILTIN_CNN) {
            bnMode.mode = mode;
            bnMode.alpha = batchStatsWeight;
            try {
                return block.forward(store, new NDList(in), mode == ForwardMode.TRAIN, null);
            } finally {
                bnMode.mode = ForwardMode.EVAL;
                bnMode.alpha = 1f;
            }
        }
        if (spec.kind() == ModelSpec.Kind.TABULAR_MLP) {
            // No normalisation and no dropout: every mode computes the same function.
            return block.forward(store, new NDList(in), mode == ForwardMode.TRAIN, null);
        }
        if (mode != ForwardMode.BATCH_STATS) {
            return block.forward(store, new NDList(in), mode == ForwardMode.TRAIN, null);
        }
        if (batchStatsWeight < 1f) {
            throw new UnsupportedOperationException("BN-alpha (mixed statistics) is only available for the built-in"
                    + " CNN; TorchScript modules switch train mode as a whole");
        }
        // Train-mode forward of the whole module, then put the running buffers back, also when the
        // forward fails. The restore writes in place with grad mode off; grad mode is then set back
        // to what it was, so a strategy's gradient session (TENT on a TorchScript model) still
        // records the graph of the output.
        Map<String, StrategyState.Tensor> running = snapshotParameters(ParameterSelector::isRunningStatistic);
        try {
            return block.forward(store, new NDList(in), true, null);
        } finally {
            boolean grad = EngineGrad.isGradMode();
            restoreParameters(running);
            EngineGrad.setGradMode(grad);
        }
    }

    /** The raw input batch as an array in {@code scope}, checked against the spec's sample shape. */
    private NDArray inputArray(NDManager scope, InputBatch batch) {
        int per = InputBatch.sampleLength(spec.inputShape());
        if (batch.sampleLength() != per) {
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
            if (trainable && ParameterSelector.isRunningStatistic(name, p)) {
                continue;
            }
            p.freeze(!trainable);
            n++;
        }
        return n;
    }

    /** Freezes every parameter, then makes the selected ones trainable. */
    public void trainOnly(ParameterSelector selector) {
        setTrainable(ParameterSelector.all(), false);
        setTrainable(selector, true);
    }

    /**
     * Copies the selected float32 parameters to the heap; {@link ParameterSelector#all()} includes
     * BN running statistics. Non-float buffers (e.g. {@code num_batches_tracked}) are skipped.
     */
    public Map<String, StrategyState.Tensor> snapshotParameters(ParameterSelector selector) {
        ensureOpen();
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
            parameters.get(e.getKey()).getArray().set(e.getValue().data());
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
                if (!ParameterSelector.isRunningStatistic(e.getKey(), mine)) {
                    c.parameters.get(e.getKey()).freeze(!mine.requiresGradient());
                }
            }
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
        model.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model " + spec.version() + " is closed");
        }
    }
}
