package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * libtorch's fused Adam ({@code aten::_fused_adam_}, the kernel behind {@code torch.optim.Adam(fused=True)}):
 * one vectorised pass per parameter reads the gradient once and writes the first moment, the
 * second moment and the weight. Why: the same update as separate tensor operations is about 15
 * passes over every parameter plus two temporaries, and at batch 1 on the UPGD paper's MLP that
 * was most of an Adam step (about 0.84 ms of CPU against 0.2 ms fused; docs/benchmarks/steps.md).
 *
 * <p>DJL 0.36 exposes no generic operator call (its own {@code adamUpdate} clones the gradient,
 * allocates four temporaries and scales ε by the bias correction, which is not PyTorch's Adam), so
 * the operator is reached through a TorchScript module whose one method calls it. The module is
 * written here, as TorchScript source in an archive built in memory: libtorch compiles the source
 * when it loads the archive, so no binary fixture and no Python are needed.
 *
 * <p>The kernel's arithmetic (PyTorch's {@code FusedAdamKernel.cpp}) is Adam's with the bias
 * corrections in double and {@code m} updated as a lerp toward the gradient; results agree with
 * the operation-by-operation update within float rounding, not bit for bit. It does not count
 * steps: the caller passes the step number. Not thread-safe, like the optimizers.
 */
final class FusedAdamKernel {

    private static final String METHOD = "step";

    /** The module's source as {@code torch.jit.save} writes it (code/__torch__.py). */
    private static final String SOURCE = """
            class FusedAdam(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.FusedAdam,
                x: Tensor) -> Tensor:
                return x
              def step(self: __torch__.FusedAdam,
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
            """;

    /** The module object: {@code __torch__.FusedAdam} with {@code training = True} (pickle protocol 2). */
    private static final byte[] DATA_PKL = concat(
            new byte[] {(byte) 0x80, 2, 'c'},
            "__torch__\nFusedAdam\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0},
            "training".getBytes(StandardCharsets.US_ASCII),
            new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});

    /** An empty tuple: the module has no tensor constants. */
    private static final byte[] CONSTANTS_PKL = {(byte) 0x80, 2, ')', '.'};

    private final PtSymbolBlock module;
    private final IValue lr;
    private final IValue beta1;
    private final IValue beta2;
    private final IValue epsilon;

    /** Compiles the module into {@code manager} (it is freed with that manager, or by {@link #close}). */
    FusedAdamKernel(NDManager manager, float lr, float beta1, float beta2, float epsilon) {
        try {
            this.module = JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive()), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the fused Adam module", e);
        }
        // The optimizer's float32 hyperparameters, widened exactly: the kernel takes doubles.
        this.lr = IValue.from((double) lr);
        this.beta1 = IValue.from((double) beta1);
        this.beta2 = IValue.from((double) beta2);
        this.epsilon = IValue.from((double) epsilon);
    }

    /**
     * One Adam update of every weight, in place (moments too), as step number {@code step}
     * ({@code step} is the count including this one; its 0-dim float tensor is read once per
     * parameter). The gradients are read only.
     */
    void update(List<NDArray> weights, List<NDArray> gradients, List<NDArray> means, List<NDArray> variances,
            NDArray step) {
        PtNDArray[] steps = new PtNDArray[weights.size()];
        java.util.Arrays.fill(steps, (PtNDArray) step);
        try (IValue w = list(weights);
                IValue g = list(gradients);
                IValue m = list(means);
                IValue v = list(variances);
                IValue s = IValue.listFrom(steps)) {
            IValueUtils.runMethod(module, METHOD, w, g, m, v, s, lr, beta1, beta2, epsilon).close();
        }
    }

    void close() {
        lr.close();
        beta1.close();
        beta2.close();
        epsilon.close();
        module.close();
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
            put(zip, "fused_adam/data.pkl", DATA_PKL);
            put(zip, "fused_adam/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            put(zip, "fused_adam/constants.pkl", CONSTANTS_PKL);
            put(zip, "fused_adam/version", "3\n".getBytes(StandardCharsets.US_ASCII));
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
