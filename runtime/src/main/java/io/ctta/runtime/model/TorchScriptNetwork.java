package io.ctta.runtime.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import io.ctta.runtime.internal.EngineGrad;
import io.ctta.runtime.memory.InPlace;
import io.ctta.runtime.model.torchscript.TorchScriptArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's TorchScript module as a {@link Network}.
 *
 * <p>What DJL's own {@code PtSymbolBlock.forward} cannot do, and this class does:
 * <ul>
 *   <li>Modes per module. {@link ForwardMode#BATCH_STATS} puts only the BatchNorm modules in
 *       training mode (dropout and the rest stay in eval), as the reference TTA code does;
 *       {@link ForwardMode#EVAL} and {@link ForwardMode#TRAIN} switch the whole module. The mode
 *       is set on the module itself, every time it changes (DJL skips the switch when its own
 *       cached flag agrees, which left a module saved in eval mode in eval mode for ever).</li>
 *   <li>Buffers. Running statistics are read and written through a method added to a copy of
 *       the archive ({@link TorchScriptArchive#instrument}); they appear among the parameters
 *       with types {@code RUNNING_MEAN}/{@code RUNNING_VAR}, so snapshots, checkpoints and copies
 *       carry them.</li>
 *   <li>Running statistics untouched by batch statistics: a batch-statistics forward updates
 *       them (PyTorch's BatchNorm does in training mode), so they are copied before the first
 *       such forward of a scope and written back when that scope's manager closes, after the
 *       step's backward pass (restoring earlier would invalidate the autograd graph, which
 *       saved those tensors).</li>
 *   <li>Gradients through eval-mode forwards: methods run with the thread's grad mode (DJL's
 *       eval forward runs under a no-grad guard, which broke continual learning on eval-mode BN).</li>
 *   <li>Exported methods: {@code features}/{@code classify} and {@code stage1..stageN}.</li>
 *   <li>Channels-last convolution kernels while nothing is trainable (source, norm, a teacher):
 *       the 4-dimensional parameters are switched in place to the channels-last (NHWC) memory
 *       layout, so libtorch runs the convolutions and the BatchNorm, ReLU and max-pooling after
 *       them in NHWC: no oneDNN reorder around each convolution, and max-pooling's vectorised
 *       NHWC kernel (the NCHW one took half of the BN CNN's forward). Values are unchanged (every
 *       read and write goes through layout-aware operators). As soon as any parameter is
 *       trainable the kernels return to the default layout: with one thread libtorch's NHWC
 *       BatchNorm backward sums in plain float order (gradients 10-100x further from float64 than
 *       NCHW's), it was no faster for tent, and libtorch's fused Adam walks a weight and its
 *       (contiguous) moments in memory order.</li>
 * </ul>
 *
 * <p>Structure: which modules are normalisation layers and which tensors are running statistics
 * comes from the archive's module tree, never from parameter names.
 */
final class TorchScriptNetwork implements Network {

    /** Class names of normalisation layers: BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, RMSNorm, ... */
    private static final Pattern NORM_TYPE = Pattern.compile(".*Norm(\\d*[dD])?");
    private static final Pattern STAGE = Pattern.compile("stage(\\d+)");
    private static final String METHOD_MARKER = "module_method:";

    private final PtSymbolBlock block;
    private final TorchScriptArchive archive;
    private final Map<String, Parameter> parameters;
    private final List<String> batchStatModules;
    private final List<NDArray> batchStatBuffers;
    private final List<BnLayer> bnLayers;
    /** Why BN-α is not offered, or null when it is. */
    private final String noMixedStatistics;
    private final List<String> methods;
    private final Set<String> buffers;
    private final int stageCount;
    /** The 4-dimensional float parameters (convolution kernels): the ones a memory layout applies to. */
    private final List<NDArray> kernels = new ArrayList<>();
    /** Whether {@link #kernels} are channels-last now. */
    private boolean kernelsChannelsLast;
    private boolean channelsLast = true;
    /** One named scalar per exported method, telling the engine which method to run (made once, in the model's manager). */
    private final Map<String, NDArray> markers = new java.util.HashMap<>();
    private ForwardMode current;
    private PendingRestore pending;

    private TorchScriptNetwork(PtSymbolBlock block, NDManager manager, TorchScriptArchive archive, Map<String, Parameter> parameters,
            List<String> batchStatModules, List<NDArray> batchStatBuffers, List<String> methods) {
        this.block = block;
        this.archive = archive;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.batchStatModules = List.copyOf(batchStatModules);
        this.batchStatBuffers = List.copyOf(batchStatBuffers);
        this.bnLayers = new ArrayList<>();
        this.noMixedStatistics = bnLayers(archive, batchStatModules, parameters, bnLayers);
        this.methods = List.copyOf(methods);
        Set<String> own = parameterNamesOf(block);
        Set<String> b = new java.util.LinkedHashSet<>(parameters.keySet());
        b.removeAll(own);
        this.buffers = Collections.unmodifiableSet(b);
        this.stageCount = countStages(methods);
        for (String name : parameterNamesOf(block)) {
            Parameter p = parameters.get(name);
            if (p != null && p.getArray().getShape().dimension() == 4 && p.getArray().getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                kernels.add(p.getArray());
            }
        }
        for (String m : this.methods) {
            NDArray marker = manager.create(0f);
            marker.setName(METHOD_MARKER + m);
            markers.put(m, marker);
        }
        enter(ForwardMode.EVAL, true);
    }

    /**
     * Loads {@code file} into {@code model} (an empty DJL model on the target device): reads its
     * module tree, loads an instrumented copy with trainable parameters, and binds the buffers.
     *
     * @throws IOException when the file is not a TorchScript archive or cannot be copied
     * @throws MalformedModelException when libtorch cannot load it
     */
    static TorchScriptNetwork load(Model model, Path file) throws IOException, MalformedModelException {
        TorchScriptArchive archive = TorchScriptArchive.read(file);
        List<String> tensorNames = archive.buffers();
        List<String> batchStat = new ArrayList<>();
        for (TorchScriptArchive.Module m : archive.modules()) {
            if (hasRunningStatistics(m)) {
                batchStat.add(m.path());
            }
        }
        Path dir = Files.createTempDirectory("ctta-torchscript");
        Path copy = dir.resolve("model.pt");
        try {
            archive.instrument(copy, tensorNames, batchStat);
            model.load(dir, "model.pt", Map.of("trainParam", "true"));
        } catch (ai.djl.engine.EngineException e) {
            throw explainLoadFailure(file, model.getNDManager().getDevice(), e);
        } finally {
            deleteQuietly(copy);
            deleteQuietly(dir);
        }
        PtSymbolBlock block = (PtSymbolBlock) model.getBlock();
        List<String> methods = new ArrayList<>();
        for (String m : JniUtils.getMethodNames(block)) {
            if (!m.equals(TorchScriptArchive.BUFFERS_METHOD) && !m.equals(TorchScriptArchive.SET_TRAINING_METHOD)) {
                methods.add(m);
            }
        }
        NDManager manager = model.getNDManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        NDArray marker = manager.create(0f);
        try {
            marker.setName(METHOD_MARKER + TorchScriptArchive.BUFFERS_METHOD);
            NDList all = IValueUtils.forward(block, new NDList(marker), true);
            for (int i = 0; i < all.size(); i++) {
                NDArray t = all.get(i);
                NDScope.unregister(t);
                tensors.put(tensorNames.get(i), t);
            }
        } finally {
            marker.close();
        }
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        Set<String> parameterNames = new HashSet<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            String name = p.getKey();
            parameterNames.add(name);
            parameters.put(name, Parameter.builder().setName(name).setType(typeOf(archive, name, true))
                    .optArray(p.getValue().getArray()).optRequiresGrad(p.getValue().requiresGradient()).build());
        }
        List<NDArray> batchStatBuffers = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (parameterNames.contains(name)) {
                e.getValue().close(); // the parameter's own handle is the one we keep
                continue;
            }
            NDArray buffer = e.getValue();
            buffer.setName(name);
            parameters.put(name, Parameter.builder().setName(name).setType(typeOf(archive, name, false))
                    .optArray(buffer).optRequiresGrad(false).build());
            if (batchStat.contains(moduleOf(name))) {
                batchStatBuffers.add(buffer);
            }
        }
        return new TorchScriptNetwork(block, manager, archive, parameters, batchStat, batchStatBuffers, methods);
    }

    /** A temporary file that cannot be removed must not hide why loading failed. */
    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            p.toFile().deleteOnExit();
        }
    }

    /**
     * Why the instrumented copy did not load: the user's file itself does not load (a libtorch
     * error about the file), or it does and the accessor methods ctta adds did not compile.
     */
    private static RuntimeException explainLoadFailure(Path file, ai.djl.Device device, ai.djl.engine.EngineException e) {
        try (Model original = Model.newInstance("check", device, "PyTorch")) {
            original.load(file.getParent(), file.getFileName().toString());
        } catch (ai.djl.engine.EngineException | IOException | MalformedModelException notLoadable) {
            return new IllegalArgumentException("libtorch cannot load TorchScript model " + file + ": "
                    + firstLine(notLoadable.getMessage()), notLoadable);
        }
        return new IllegalStateException("TorchScript model " + file + " loads, but ctta could not add its accessor methods"
                + " (buffers and per-module training flags) to a copy of it: " + firstLine(e.getMessage())
                + "; please report this with the code that exported the model", e);
    }

    /** The first non-blank line of a (libtorch) message. */
    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        for (String line : s.split("\n")) {
            if (!line.isBlank()) {
                return line.trim();
            }
        }
        return "";
    }

    /** A module normalising with running statistics in eval mode and batch statistics in training mode. */
    static boolean hasRunningStatistics(TorchScriptArchive.Module m) {
        return m.buffers().contains("running_mean") && m.buffers().contains("running_var");
    }

    /** A normalisation layer, by class or by its running statistics. */
    static boolean isNormalisation(TorchScriptArchive.Module m) {
        return NORM_TYPE.matcher(m.typeName()).matches() || hasRunningStatistics(m);
    }

    private static String moduleOf(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }

    private static Parameter.Type typeOf(TorchScriptArchive archive, String name, boolean parameter) {
        String attribute = name.substring(name.lastIndexOf('.') + 1);
        TorchScriptArchive.Module m = archive.module(moduleOf(name));
        boolean norm = m != null && isNormalisation(m);
        if (parameter) {
            if (norm && attribute.equals("weight")) {
                return Parameter.Type.GAMMA;
            }
            if (norm && attribute.equals("bias")) {
                return Parameter.Type.BETA;
            }
            return attribute.equals("bias") ? Parameter.Type.BIAS
                    : attribute.contains("weight") ? Parameter.Type.WEIGHT : Parameter.Type.OTHER;
        }
        if (attribute.equals("running_mean")) {
            return Parameter.Type.RUNNING_MEAN;
        }
        if (attribute.equals("running_var")) {
            return Parameter.Type.RUNNING_VAR;
        }
        return Parameter.Type.OTHER;
    }

    /**
     * A BatchNorm layer as BN-α sees it: its running statistics, its counter, and the factor its
     * training-mode forward updates them with ({@code momentum}, or NaN for {@code momentum=None},
     * the cumulative average).
     */
    private record BnLayer(NDArray mean, NDArray var, NDArray count, float momentum) {}

    /**
     * Adds the BatchNorm layers to {@code out} in module order; returns why BN-α cannot be offered
     * (and leaves {@code out} empty), or null.
     */
    private static String bnLayers(TorchScriptArchive archive, List<String> paths, Map<String, Parameter> parameters,
            List<BnLayer> out) {
        if (paths.isEmpty()) {
            return "this module has no BatchNorm layer";
        }
        for (String path : paths) {
            TorchScriptArchive.Module m = archive.module(path);
            String momentum = m == null ? null : m.constants().get("momentum");
            String refusal = null;
            if (m == null || !m.isTorchNn() || !m.typeName().contains("BatchNorm")) {
                refusal = "its layer " + path + " normalises with running statistics but is not torch.nn's BatchNorm";
            } else if (momentum == null) {
                refusal = "the momentum of its BatchNorm layer " + path + " is not declared in the file";
            }
            float factor = Float.NaN;
            if (refusal == null && !momentum.equals("None")) {
                try {
                    factor = Float.parseFloat(momentum);
                } catch (NumberFormatException e) {
                    refusal = "the momentum of its BatchNorm layer " + path + " is not a number (" + momentum + ")";
                }
            }
            String prefix = path.isEmpty() ? "" : path + ".";
            Parameter count = parameters.get(prefix + "num_batches_tracked");
            if (refusal == null && factor == 0f) {
                // The layer's update is then 0 x its batch statistics: nothing to observe them by.
                refusal = "its BatchNorm layer " + path + " has momentum 0 (its running statistics never move)";
            } else if (refusal == null && Float.isNaN(factor) && count == null) {
                refusal = "its BatchNorm layer " + path + " has momentum=None but no num_batches_tracked buffer";
            }
            if (refusal != null) {
                out.clear();
                return refusal;
            }
            out.add(new BnLayer(parameters.get(prefix + "running_mean").getArray(), parameters.get(prefix + "running_var")
                    .getArray(), count == null ? null : count.getArray(), factor));
        }
        return null;
    }

    private static int countStages(List<String> methods) {
        TreeMap<Integer, String> stages = new TreeMap<>();
        for (String m : methods) {
            Matcher s = STAGE.matcher(m);
            if (s.matches()) {
                stages.put(Integer.parseInt(s.group(1)), m);
            }
        }
        int n = 0;
        while (stages.containsKey(n + 1)) {
            n++;
        }
        return n;
    }

    /** The module tree read from the file. */
    TorchScriptArchive archive() {
        return archive;
    }

    private static Set<String> parameterNamesOf(PtSymbolBlock block) {
        Set<String> names = new HashSet<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.add(p.getKey());
        }
        return names;
    }

    @Override
    public Set<String> buffers() {
        return buffers;
    }

    @Override
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    @Override
    public List<String> methods() {
        return methods;
    }

    @Override
    public void trainabilityChanged() {
        relayoutKernels();
    }

    @Override
    public void preferChannelsLast(boolean on) {
        channelsLast = on;
        relayoutKernels();
    }

    /**
     * Kernels channels-last when preferred and no parameter is trainable, else contiguous. Runs
     * between steps: changing a tensor's layout bumps its version, which a not yet
     * back-propagated graph that saved it would refuse.
     */
    private void relayoutKernels() {
        boolean want = channelsLast && !kernels.isEmpty();
        for (Parameter p : parameters.values()) {
            want &= !p.requiresGradient();
        }
        if (want == kernelsChannelsLast) {
            return;
        }
        boolean grad = EngineGrad.isGradMode();
        EngineGrad.setGradMode(false);
        try {
            io.ctta.runtime.adapt.LibtorchKernels.get().relayout(kernels, want);
            kernelsChannelsLast = want;
        } finally {
            EngineGrad.setGradMode(grad);
        }
    }

    @Override
    public boolean supportsMixedStatistics() {
        return !bnLayers.isEmpty();
    }

    @Override
    public NDArray forward(NDArray x, ForwardMode mode, float batchStatsWeight) {
        if (batchStatsWeight < 1f) {
            if (!supportsMixedStatistics()) {
                throw new UnsupportedOperationException("BN-alpha mixes the source and the batch statistics inside each"
                        + " BatchNorm layer, but " + noMixedStatistics + "; use norm with alpha = 1 (batch statistics)"
                        + " or tent on this model");
            }
            return mixedForward(x, batchStatsWeight);
        }
        prepare(x.getManager(), mode);
        return single(call("forward", x), "forward");
    }

    /**
     * BN-α: every BatchNorm layer normalises with {@code (1-α)·source + α·batch} statistics of its own
     * input, the inputs themselves normalised so upstream. A TorchScript module exposes no layer's
     * input, so the batch statistics are observed one layer at a time, in module order: with the
     * layers before it in eval mode holding their mixed statistics, the layer runs in training mode
     * from zeroed running statistics, whose update then is {@code momentum x} (or, for
     * {@code momentum=None}, exactly) its batch mean and unbiased variance (what the reference's
     * AlphaBatchNorm mixes); the mix is written into the layer's running statistics. A last eval-mode
     * forward gives the logits. Cost: one forward per BatchNorm layer plus one. The source statistics
     * are back when the scope closes, as after any batch-statistics forward.
     */
    private NDArray mixedForward(NDArray x, float alpha) {
        NDManager scope = x.getManager();
        if (pending == null) {
            pending = new PendingRestore(scope);
        }
        pending.writeSourceBack();
        boolean grad = EngineGrad.isGradMode();
        EngineGrad.setGradMode(false);
        try {
            JniUtils.enableInferenceMode(block);
            current = null;
            boolean[] flags = new boolean[batchStatModules.size()];
            for (int l = 0; l < bnLayers.size(); l++) {
                BnLayer b = bnLayers.get(l);
                InPlace.zero(b.mean());
                InPlace.zero(b.var());
                if (b.count() != null) {
                    InPlace.zero(b.count());
                }
                flags[l] = true;
                setTraining(flags);
                call("forward", x).close();
                flags[l] = false;
                float f = Float.isNaN(b.momentum()) ? 1f : b.momentum();
                mixInto(b.mean(), pending.source(b.mean()), f, alpha, scope);
                mixInto(b.var(), pending.source(b.var()), f, alpha, scope);
                if (b.count() != null) {
                    pending.writeSourceBack(b.count());
                }
            }
            setTraining(flags);
            current = ForwardMode.EVAL;
        } finally {
            EngineGrad.setGradMode(grad);
        }
        return single(call("forward", x), "forward");
    }

    /**
     * {@code buffer := (1-α)·source + α·buffer/f} on the buffer's device, in its dtype; the
     * temporaries live in a sub-manager of the step's scope.
     */
    private static void mixInto(NDArray buffer, NDArray source, float f, float alpha, NDManager scope) {
        try (NDManager tmp = scope.newSubManager()) {
            NDArray mixed = view(source, tmp).mul(1 - alpha).add(view(buffer, tmp).mul(alpha / f));
            InPlace.copy(mixed, buffer);
        }
    }

    /** A view of {@code a} in {@code manager}, so that arithmetic on it lands there, not in {@code a}'s manager. */
    private static NDArray view(NDArray a, NDManager manager) {
        NDArray v = a.reshape(a.getShape());
        v.attach(manager);
        return v;
    }

    private void setTraining(boolean[] flags) {
        try (IValue v = IValue.listFrom(flags)) {
            IValueUtils.runMethod(block, TorchScriptArchive.SET_TRAINING_METHOD, v).close();
        }
    }

    @Override
    public NDList forwardWithFeatures(NDArray x, ForwardMode mode) {
        if (!methods.contains("features") || !methods.contains("classify")) {
            throw new UnsupportedOperationException("the TorchScript module exports no features(x) and classify(f)"
                    + " methods (it has " + methods + "); export them with @torch.jit.export so that"
                    + " classify(features(x)) == forward(x) (see " + ModelRequirements.EXPORT_DOCS + ")");
        }
        prepare(x.getManager(), mode);
        NDArray features = single(call("features", x), "features");
        NDArray logits = single(call("classify", features), "classify");
        return new NDList(features, logits);
    }

    @Override
    public ModelStages stages() {
        if (stageCount == 0 || !methods.contains("classify")) {
            throw new UnsupportedOperationException("the TorchScript module exports no stage methods (it has "
                    + methods + "); export stage1(x), stage2(a), ... and classify(f) with @torch.jit.export so that"
                    + " classify(stageN(...stage1(x))) == forward(x) (see " + ModelRequirements.EXPORT_DOCS + ")");
        }
        return new ModelStages() {
            @Override
            public int count() {
                return stageCount;
            }

            @Override
            public NDArray run(int k, NDArray x) {
                if (k < 1 || k > stageCount) {
                    throw new IndexOutOfBoundsException("stage " + k + " of 1.." + stageCount);
                }
                prepare(x.getManager(), ForwardMode.EVAL);
                return single(call("stage" + k, x), "stage" + k);
            }

            @Override
            public NDArray classify(NDArray features) {
                prepare(features.getManager(), ForwardMode.EVAL);
                return single(call("classify", features), "classify");
            }
        };
    }

    @Override
    public void settle() {
        if (pending != null) {
            pending.close();
        }
    }

    @Override
    public void close() {
        // The module and its tensors belong to the model's manager, which the model closes.
        pending = null;
    }

    /**
     * Sets the module's mode. Before a batch-statistics forward the BN buffers are copied (once per
     * scope) and their restore is attached to {@code scope}; any other mode restores them first.
     */
    private void prepare(NDManager scope, ForwardMode mode) {
        if (mode == ForwardMode.BATCH_STATS) {
            if (pending == null && !batchStatBuffers.isEmpty()) {
                pending = new PendingRestore(scope);
            }
        } else {
            settle();
        }
        enter(mode, false);
    }

    private void enter(ForwardMode mode, boolean force) {
        if (mode == current && !force) {
            return;
        }
        if (mode == ForwardMode.TRAIN) {
            JniUtils.enableTrainingMode(block);
        } else {
            JniUtils.enableInferenceMode(block);
            if (mode == ForwardMode.BATCH_STATS && !batchStatModules.isEmpty()) {
                boolean[] on = new boolean[batchStatModules.size()];
                java.util.Arrays.fill(on, true);
                setTraining(on);
            }
        }
        current = mode;
    }

    /** Runs an exported method with the thread's grad mode; results live in the first input's manager. */
    private NDList call(String method, NDArray... inputs) {
        NDArray marker = markers.get(method);
        if (marker == null) {
            throw new IllegalArgumentException("the module exports no method " + method + " (it has " + methods + ")");
        }
        NDList args = new NDList(inputs.length + 1);
        for (NDArray in : inputs) {
            // A name with a dot would make the engine pack the array into a tuple or a dict.
            in.setName(null);
            args.add(in);
        }
        // Last: the engine puts the results in the first array's manager, the step's.
        args.add(marker);
        String optimizer = System.getProperty("ai.djl.pytorch.graph_optimizer");
        if (optimizer != null) {
            // A thread-local libtorch setting (what DJL's own forward does per call).
            JniUtils.setGraphExecutorOptimize(Boolean.parseBoolean(optimizer));
        }
        return IValueUtils.forward(block, args, true);
    }

    private static NDArray single(NDList out, String method) {
        if (out.isEmpty()) {
            throw new IllegalStateException("the module's " + method + " returned nothing; it must return a tensor");
        }
        for (int i = 1; i < out.size(); i++) {
            out.get(i).close();
        }
        return out.get(0);
    }

    /**
     * The BN buffers as they were before the first batch-statistics forward of a scope, written back
     * when that scope's manager closes (or earlier, when another mode or a snapshot needs them).
     */
    private final class PendingRestore implements AutoCloseable {
        private final NDManager scope;
        private final String uid = NDManager.nextUid();
        private final List<NDArray> copies = new ArrayList<>();
        private boolean done;

        PendingRestore(NDManager scope) {
            this.scope = scope;
            for (NDArray b : batchStatBuffers) {
                NDArray c = b.duplicate();
                NDScope.unregister(c);
                c.detach();
                copies.add(c);
            }
            scope.attachInternal(uid, this);
        }

        /** The value {@code target} had when this restore was taken (owned by this restore). */
        NDArray source(NDArray target) {
            return copies.get(indexOf(target));
        }

        /** Writes the saved values back now (the restore stays pending). */
        void writeSourceBack() {
            for (NDArray b : batchStatBuffers) {
                writeSourceBack(b);
            }
        }

        void writeSourceBack(NDArray target) {
            InPlace.copy(copies.get(indexOf(target)), target);
        }

        private int indexOf(NDArray target) {
            for (int i = 0; i < batchStatBuffers.size(); i++) {
                if (batchStatBuffers.get(i) == target) {
                    return i;
                }
            }
            throw new IllegalArgumentException("not a BatchNorm buffer of this module");
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            if (pending == this) {
                pending = null;
            }
            try {
                if (scope.isOpen()) {
                    scope.detachInternal(uid);
                }
                boolean grad = EngineGrad.isGradMode();
                EngineGrad.setGradMode(false);
                try {
                    for (int i = 0; i < copies.size(); i++) {
                        NDArray target = batchStatBuffers.get(i);
                        if (!target.isReleased()) {
                            InPlace.copy(copies.get(i), target);
                        }
                    }
                } finally {
                    EngineGrad.setGradMode(grad);
                }
            } finally {
                for (NDArray c : copies) {
                    c.close();
                }
            }
        }
    }
}
