package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.optim.FusedUpdate;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * libtorch operators DJL 0.36 does not expose, each doing in one native call what a learning step
 * did in many: Adam's fused update ({@code aten::_fused_adam_}, the kernel behind
 * {@code torch.optim.Adam(fused=True)}), the largest magnitude over a list of tensors
 * ({@code aminmax} per tensor, then a max) and zeroing a list of tensors
 * ({@code _foreach_zero_}). Why: at batch 1 on the UPGD paper's MLP a step is a few hundred native
 * calls on small tensors, and these were the costliest groups of them (Adam as ~15 tensor
 * operations per parameter, 0.84 ms of CPU against 0.2 ms fused; the gradient guard's max and min
 * per tensor; an index_put per gradient to clear it; docs/benchmarks/steps.md). The whole
 * learning step of a built-in MLP ({@code mlp_step}: forward, cross-entropy, back-propagation
 * written out, guard and the SGDW/Adam/UPGD update, {@link FusedMlpStep}), and Gaussian noise from
 * a generator seeded per call ({@code gaussian}, for the perturbed optimizers). Also: a tensor's
 * memory layout changed in place ({@code set_} to its channels-last copy), which DJL cannot do,
 * for the convolution kernels of frozen TorchScript models (TorchScriptNetwork).
 *
 * <p>DJL has no generic operator call, so the operators are reached through a TorchScript module
 * whose methods call them. The module is written here, as TorchScript source in an archive built
 * in memory (no binary fixture, no Python): libtorch compiles the source when it loads the archive.
 * It holds no state, so one module serves the whole process and every thread (TorchScript runs a
 * method on concurrent threads); it is compiled on first use and lives as long as the process, in
 * a manager of its own that is never closed.
 */
public final class LibtorchKernels {

    /** The module's source as {@code torch.jit.save} writes it (code/__torch__.py). */
    private static final String SOURCE = """
            class Kernels(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Kernels,
                x: Tensor) -> Tensor:
                return x
              def adam(self: __torch__.Kernels,
                params: List[Tensor],
                grads: List[Tensor],
                exp_avgs: List[Tensor],
                exp_avg_sqs: List[Tensor],
                steps: List[Tensor],
                lr: float,
                beta1: float,
                beta2: float,
                eps: float) -> NoneType:
                torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=0., eps=eps, amsgrad=False, maximize=False)
                return None
              def largest_magnitude(self: __torch__.Kernels,
                tensors: List[Tensor]) -> Tensor:
                parts = annotate(List[Tensor], [])
                for _0 in range(torch.len(tensors)):
                  t = tensors[_0]
                  lo, hi = torch.aminmax(t)
                  _1 = torch.append(parts, torch.maximum(hi, torch.neg(lo)))
                return torch.max(torch.stack(parts))
              def zero(self: __torch__.Kernels,
                tensors: List[Tensor]) -> NoneType:
                torch._foreach_zero_(tensors)
                return None
              def gaussian(self: __torch__.Kernels,
                seed: int,
                shape: List[int],
                sigma: float) -> Tensor:
                g = torch.Generator(device="cpu", seed=seed)
                return torch.mul(torch.randn(shape, generator=g), sigma)
              def mlp_step(self: __torch__.Kernels,
                params: List[Tensor],
                x: Tensor,
                labels: Tensor,
                rule: int,
                state_a: List[Tensor],
                state_b: List[Tensor],
                step: Tensor,
                hp: List[float],
                seeds: List[int]) -> Tuple[Tensor, List[float]]:
                weights = annotate(List[Tensor], [])
                for p in params:
                  weights.append(torch.detach(p))
                layers = len(weights) // 2
                acts = annotate(List[Tensor], [x])
                h = x
                for i in range(layers):
                  z = torch.linear(h, weights[2 * i], weights[2 * i + 1])
                  if i < layers - 1:
                    h = torch.relu(z)
                  else:
                    h = z
                  acts.append(h)
                logits = acts[layers]
                probs = torch.softmax(logits, -1)
                logp = torch.log_softmax(logits, -1)
                onehot = torch.scatter(torch.zeros_like(logits), 1, torch.unsqueeze(labels, 1), 1.)
                loss = torch.neg(torch.mean(torch.sum(torch.mul(logp, onehot), [-1])))
                d = torch.div(torch.sub(probs, onehot), torch.size(x, 0))
                if rule == 0 and torch.size(x, 0) == 1:
                  return self.sgdw_one_sample(weights, acts, d, probs, loss, hp, seeds)
                grads = annotate(List[Tensor], [])
                for w in weights:
                  grads.append(w)
                one = torch.size(x, 0) == 1
                parts = annotate(List[Tensor], [])
                for j in range(layers):
                  i = layers - 1 - j
                  grads[2 * i] = torch.mm(torch.t(d), acts[i])
                  grads[2 * i + 1] = torch.sum(d, [0])
                  if one:
                    dm = torch.max(torch.abs(d))
                    parts.append(torch.maximum(torch.mul(dm, torch.max(torch.abs(acts[i]))), dm))
                  if i > 0:
                    d = torch.mul(torch.mm(d, weights[2 * i]), torch.gt(acts[i], 0))
                lossf = float(loss)
                if one:
                  massf = float(torch.max(torch.stack(parts)))
                else:
                  massf = float(self.largest_magnitude(grads))
                eta = float("nan")
                guarded = 0.
                if self.applicable(lossf, massf):
                  if rule == 0:
                    self.sgdw(weights, grads, hp, seeds)
                  elif rule == 1:
                    if hp[1] != 1.:
                      for w in weights:
                        torch.mul_(w, hp[1])
                    steps = annotate(List[Tensor], [])
                    for w in weights:
                      steps.append(step)
                    self.adam(weights, grads, state_a, state_b, steps, hp[0], hp[2], hp[3], hp[4])
                  else:
                    eta, guarded = self.upgd(weights, grads, state_a, hp, seeds)
                return (probs, [lossf, massf, eta, guarded])
              def applicable(self: __torch__.Kernels,
                loss: float,
                mass: float) -> bool:
                inf = float("inf")
                return loss > -inf and loss < inf and mass < inf and mass != 0.
              def sgdw(self: __torch__.Kernels,
                weights: List[Tensor],
                grads: List[Tensor],
                hp: List[float],
                seeds: List[int]) -> NoneType:
                lr = hp[0]
                shrink = hp[1]
                sigma = hp[2]
                for i in range(len(weights)):
                  w = weights[i]
                  d = grads[i]
                  if sigma > 0.:
                    g0 = torch.Generator(device="cpu", seed=seeds[i])
                    torch.add_(d, torch.randn(torch.size(w), generator=g0), alpha=sigma)
                  if shrink != 1.:
                    torch.mul_(w, shrink)
                  torch.add_(w, d, alpha=-lr)
                return None
              def sgdw_one_sample(self: __torch__.Kernels,
                weights: List[Tensor],
                acts: List[Tensor],
                d: Tensor,
                probs: Tensor,
                loss: Tensor,
                hp: List[float],
                seeds: List[int]) -> Tuple[Tensor, List[float]]:
                layers = len(weights) // 2
                ds = annotate(List[Tensor], [])
                for j in range(layers):
                  ds.append(d)
                  i = layers - 1 - j
                  if i > 0:
                    d = torch.mul(torch.mm(d, weights[2 * i]), torch.gt(acts[i], 0))
                parts = annotate(List[Tensor], [])
                for j in range(layers):
                  dm = torch.max(torch.abs(ds[j]))
                  parts.append(torch.maximum(torch.mul(dm, torch.max(torch.abs(acts[layers - 1 - j]))), dm))
                lossf = float(loss)
                massf = float(torch.max(torch.stack(parts)))
                if self.applicable(lossf, massf):
                  lr = hp[0]
                  shrink = hp[1]
                  sigma = hp[2]
                  for j in range(layers):
                    i = layers - 1 - j
                    w = weights[2 * i]
                    b = weights[2 * i + 1]
                    dv = torch.select(ds[j], 0, 0)
                    torch.addr_(w, dv, torch.select(acts[i], 0, 0), beta=shrink, alpha=-lr)
                    if shrink != 1.:
                      torch.mul_(b, shrink)
                    torch.add_(b, dv, alpha=-lr)
                    if sigma > 0.:
                      gw = torch.Generator(device="cpu", seed=seeds[2 * i])
                      torch.add_(w, torch.randn(torch.size(w), generator=gw), alpha=-lr * sigma)
                      gb = torch.Generator(device="cpu", seed=seeds[2 * i + 1])
                      torch.add_(b, torch.randn(torch.size(b), generator=gb), alpha=-lr * sigma)
                return (probs, [lossf, massf, float("nan"), 0.])
              def upgd(self: __torch__.Kernels,
                weights: List[Tensor],
                grads: List[Tensor],
                traces: List[Tensor],
                hp: List[float],
                seeds: List[int]) -> Tuple[float, float]:
                lr = hp[0]
                shrink = hp[1]
                beta = hp[2]
                neg_one_minus_beta = hp[3]
                correction = hp[4]
                sigma = hp[5]
                is_global = hp[6] > 0.5
                protecting = hp[7] > 0.5
                corrected_max = hp[8] > 0.5
                floor = hp[9]
                maxes = annotate(List[Tensor], [])
                for i in range(len(weights)):
                  torch.addcmul_(torch.mul_(traces[i], beta), grads[i], weights[i], value=neg_one_minus_beta)
                  if is_global:
                    maxes.append(torch.max(traces[i]))
                eta = float("nan")
                guarded = 0.
                if is_global:
                  m = float(torch.max(torch.stack(maxes)))
                  if corrected_max:
                    m = m / correction
                  if not (m > floor):
                    guarded = 1.
                    m = floor
                  eta = float(torch.tensor(m, dtype=6))
                for i in range(len(weights)):
                  w = weights[i]
                  g = grads[i]
                  if is_global:
                    gate = torch.sigmoid_(torch.mul(traces[i], -1. / (correction * eta)))
                  else:
                    gate = torch.sigmoid_(torch.neg_(self.row_normalised(torch.div(traces[i], correction), floor)))
                  if sigma > 0.:
                    g0 = torch.Generator(device="cpu", seed=seeds[i])
                    xi = torch.randn(torch.size(w), generator=g0)
                    if protecting:
                      torch.add_(g, xi, alpha=sigma)
                    else:
                      torch.mul_(xi, gate)
                      torch.add_(g, xi, alpha=sigma)
                  if shrink != 1.:
                    torch.mul_(w, shrink)
                  if protecting:
                    torch.addcmul_(w, g, gate, value=-lr)
                  else:
                    torch.add_(w, g, alpha=-lr)
                return (eta, guarded)
              def row_normalised(self: __torch__.Kernels,
                a: Tensor,
                floor: float) -> Tensor:
                shape = torch.size(a)
                rows = 1
                if len(shape) >= 2:
                  rows = shape[0]
                m = torch.reshape(a, [rows, -1])
                norm = torch.clamp_min(torch.sqrt(torch.sum(torch.square(m), [1], True)), floor)
                return torch.reshape(torch.div(m, norm), shape)
              def relayout(self: __torch__.Kernels,
                tensors: List[Tensor],
                memory_format: int) -> NoneType:
                for _0 in range(torch.len(tensors)):
                  t = tensors[_0]
                  _1 = torch.set_(t, torch.contiguous(t, memory_format=memory_format))
                return None
              def is_contiguous_as(self: __torch__.Kernels,
                t: Tensor,
                memory_format: int) -> bool:
                return torch.is_contiguous(t, memory_format=memory_format)
            """;

    /** The module object: {@code __torch__.Kernels} with {@code training = True} (pickle protocol 2). */
    private static final byte[] DATA_PKL = concat(
            new byte[] {(byte) 0x80, 2, 'c'},
            "__torch__\nKernels\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0},
            "training".getBytes(StandardCharsets.US_ASCII),
            new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});

    /** An empty tuple: the module has no tensor constants. */
    private static final byte[] CONSTANTS_PKL = {(byte) 0x80, 2, ')', '.'};

    /** Compiled on first use (class initialisation runs once, thread-safely), then immutable. */
    private static final class Holder {
        static final LibtorchKernels INSTANCE = new LibtorchKernels();
    }

    private final PtSymbolBlock module;

    private LibtorchKernels() {
        NDManager manager = NDManager.newBaseManager();
        try {
            this.module = JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive()), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load ctta's libtorch kernels module", e);
        }
    }

    /** The process's kernels (compiled on the first call). */
    public static LibtorchKernels get() {
        return Holder.INSTANCE;
    }

    /**
     * One Adam update of every weight and its moments, in place, as step number {@code step} (a
     * 0-dim float tensor, read once per parameter; the kernel does not count steps). No weight
     * decay: AdamW's is applied by the caller before. The gradients are only read. The kernel's
     * arithmetic (PyTorch's {@code FusedAdamKernel.cpp}) is Adam's with the bias corrections in
     * double and {@code m} moved toward the gradient as a lerp: the operation-by-operation update
     * within float rounding, not bit for bit.
     */
    public void adam(List<NDArray> weights, List<NDArray> gradients, List<NDArray> means, List<NDArray> variances,
            NDArray step, double lr, double beta1, double beta2, double epsilon) {
        PtNDArray[] steps = new PtNDArray[weights.size()];
        Arrays.fill(steps, (PtNDArray) step);
        try (IValue w = list(weights);
                IValue g = list(gradients);
                IValue m = list(means);
                IValue v = list(variances);
                IValue s = IValue.listFrom(steps);
                IValue a = IValue.from(lr);
                IValue b1 = IValue.from(beta1);
                IValue b2 = IValue.from(beta2);
                IValue e = IValue.from(epsilon)) {
            IValueUtils.runMethod(module, "adam", w, g, m, v, s, a, b1, b2, e).close();
        }
    }

    /**
     * The largest absolute value over every element of {@code tensors} (at least one), as a 0-dim
     * tensor in {@code manager}: NaN when any element is NaN, else infinite when any is. One pass
     * over each tensor, no temporary of its size.
     */
    public NDArray largestMagnitude(List<NDArray> tensors, NDManager manager) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("no tensors");
        }
        try (IValue t = list(tensors);
                IValue out = IValueUtils.runMethod(module, "largest_magnitude", t)) {
            return out.toTensor((PtNDManager) manager);
        }
    }

    /** Sets every element of every tensor to zero, NaN and infinities included. */
    public void zero(List<NDArray> tensors) {
        if (tensors.isEmpty()) {
            return;
        }
        try (IValue t = list(tensors)) {
            IValueUtils.runMethod(module, "zero", t).close();
        }
    }

    /**
     * {@code N(0, sigma²)} values of {@code shape} from libtorch's CPU generator (mt19937) seeded
     * with {@code generatorSeed}, as a tensor in {@code manager}: the same seed and shape always
     * give the same values, on every thread, independent of libtorch's global generator. Only the
     * seed's low 32 bits count (mt19937 takes a 32-bit seed; {@link
     * io.ctta.runtime.adapt.optim.GaussianNoise#generatorSeed} folds a 64-bit one). The tensor is
     * made in inference mode (DJL runs methods so): read it, never update it in place.
     */
    public NDArray gaussian(long generatorSeed, Shape shape, double sigma, NDManager manager) {
        try (IValue s = IValue.from(generatorSeed & 0xFFFF_FFFFL);
                IValue d = IValue.listFrom(shape.getShape());
                IValue g = IValue.from(sigma);
                IValue out = IValueUtils.runMethod(module, "gaussian", s, d, g)) {
            NDArray noise = out.toTensor((PtNDManager) manager);
            if (noise.getDevice().equals(manager.getDevice())) {
                return noise;
            }
            // Drawn on the host whatever the device, so that a seed means the same values everywhere.
            try (noise) {
                return noise.toDevice(manager.getDevice(), false);
            }
        }
    }

    /**
     * Gives every tensor of {@code tensors} (4-dimensional when {@code channelsLast}) the
     * channels-last (NHWC) or the default contiguous (NCHW) memory layout, in place: same values,
     * same shape, same tensor (the module holding it sees the change), other strides. Values read
     * or written through NDArray operations are unaffected; only the kernels' speed is. Run with
     * grad mode off ({@code set_} on a parameter).
     */
    public void relayout(List<NDArray> tensors, boolean channelsLast) {
        if (tensors.isEmpty()) {
            return;
        }
        // c10::MemoryFormat: Contiguous = 0, ChannelsLast = 2
        try (IValue t = list(tensors);
                IValue format = IValue.from(channelsLast ? 2L : 0L)) {
            IValueUtils.runMethod(module, "relayout", t, format).close();
        }
    }

    /**
     * One learning step of a ReLU MLP ({@code params} = weight and bias of each Linear layer, input
     * side first, as {@code torch.nn.Linear} stores them) on {@code x} (B x in, preprocessed) and
     * {@code labels} (B, int64), in one native call: the forward pass, the batch-mean softmax
     * cross-entropy and its gradient by back-propagation written out (the Linear and ReLU
     * backward formulas autograd applies, without recording a graph), the gradient guard, and the
     * optimizer's update in place ({@code update}). The update is skipped when the loss or a
     * gradient is not finite or every gradient is zero; the result says which.
     *
     * @return the softmax of the forward pass (the weights before the update) in {@code manager}
     *     and the step's loss, largest gradient magnitude and, for UPGD, its {@code η}
     */
    public MlpStep mlpStep(List<NDArray> params, NDArray x, NDArray labels, FusedUpdate update, NDManager manager) {
        try (IValue p = list(params);
                IValue in = IValue.from((PtNDArray) x);
                IValue y = IValue.from((PtNDArray) labels);
                IValue rule = IValue.from((long) update.rule().ordinal());
                IValue a = list(update.stateA());
                IValue b = list(update.stateB());
                IValue step = IValue.from((PtNDArray) (update.step() != null ? update.step() : x));
                IValue hp = IValue.listFrom(update.hyper());
                IValue seeds = IValue.listFrom(update.seeds());
                IValue out = IValueUtils.runMethod(module, "mlp_step", p, in, y, rule, a, b, step, hp, seeds)) {
            IValue[] parts = out.toIValueTuple();
            try {
                NDArray probs = parts[0].toTensor((PtNDManager) manager);
                double[] info = parts[1].toDoubleArray();
                return new MlpStep(probs, (float) info[0], info[1], (float) info[2], info[3] > 0.5);
            } finally {
                for (IValue v : parts) {
                    v.close();
                }
            }
        }
    }

    /**
     * What {@link #mlpStep} did.
     *
     * @param probabilities the softmax of the logits the loss was computed from (B x C)
     * @param loss the batch-mean cross-entropy (may be non-finite: then nothing was updated)
     * @param gradientMagnitude the largest absolute gradient value (NaN or infinite: nothing was
     *     updated; 0: nothing was updated)
     * @param eta UPGD's global maximum {@code η} (NaN for other rules and for local scaling)
     * @param etaGuarded whether UPGD's {@code η} was raised to its floor
     */
    public record MlpStep(NDArray probabilities, float loss, double gradientMagnitude, float eta, boolean etaGuarded) {
        /** Whether the update was applied (finite loss, finite non-zero gradient). */
        public boolean applied() {
            return Float.isFinite(loss) && Double.isFinite(gradientMagnitude) && gradientMagnitude != 0;
        }
    }

    /**
     * Whether {@code tensor} is laid out channels-last ({@code channelsLast}) or in the default
     * contiguous order. A tensor with a single channel or a 1x1 spatial extent can be both.
     */
    public boolean isLaidOut(NDArray tensor, boolean channelsLast) {
        try (IValue t = IValue.from((PtNDArray) tensor);
                IValue format = IValue.from(channelsLast ? 2L : 0L);
                IValue out = IValueUtils.runMethod(module, "is_contiguous_as", t, format)) {
            return out.toBoolean();
        }
    }

    private static IValue list(List<NDArray> arrays) {
        PtNDArray[] a = new PtNDArray[arrays.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (PtNDArray) arrays.get(i);
        }
        return IValue.listFrom(a);
    }

    /** A TorchScript archive (an uncompressed zip, every record under one folder) holding the module. */
    private static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setMethod(ZipOutputStream.STORED);
            put(zip, "kernels/data.pkl", DATA_PKL);
            put(zip, "kernels/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            put(zip, "kernels/constants.pkl", CONSTANTS_PKL);
            put(zip, "kernels/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
