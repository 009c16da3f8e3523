package io.ctta.benchmarks.jmh;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.memory.StepScope;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a batch-64 step's time goes inside libtorch, for the side-by-side comparison with the
 * authors' PyTorch code (docs/benchmarks/python-side-by-side.md). Two modes:
 * <ul>
 *   <li>{@code profile <strategy> <out.json>}: libtorch's own profiler ({@code JniUtils.startProfile})
 *       around {@code batches} steps of the strategy; writes a Chrome trace, which
 *       {@code benchmarks/python/trace_ops.py} sums per operator.</li>
 *   <li>{@code pieces}: thread CPU time per batch of (a) DJL's plain {@code PtSymbolBlock} forward of
 *       the module in eval mode, (b) ctta's {@code AdaptiveModel.forward} in eval mode, (c) the
 *       network's two convolutions and two max-pools alone as NDArray operations.</li>
 * </ul>
 * Arguments: {@code profile <strategy> <out.json> [model.pt] [batches] [warm-up]} or
 * {@code pieces [model.pt] [batches] [warm-up]}. Inputs are seeded synthetic pixels (values do not
 * change the cost of these operators). Run with {@code -Dai.djl.pytorch.num_threads=1}.
 */
public final class TtaProfile {

    private static final int BATCH = 64;
    private static final int[] IMAGE = {1, 28, 28};

    private TtaProfile() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "pieces";
        if (mode.equals("profile")) {
            String strategy = args[1];
            Path out = Path.of(args[2]);
            Path modelFile = Path.of(args.length > 3 ? args[3] : "fixtures/torchscript/cnn-twin.pt");
            int batches = args.length > 4 ? Integer.parseInt(args[4]) : 40;
            int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 15;
            profile(strategy, out, modelFile, batches, warmup);
        } else {
            Path modelFile = Path.of(args.length > 1 ? args[1] : "fixtures/torchscript/cnn-twin.pt");
            int batches = args.length > 2 ? Integer.parseInt(args[2]) : 60;
            int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 15;
            pieces(modelFile, batches, warmup);
        }
    }

    private static void profile(String strategy, Path out, Path modelFile, int batches, int warmup) {
        InputBatch[] inputs = BenchInputs.batches(warmup + batches, BATCH, IMAGE, 7);
        SourceData source = new SourceData(BenchInputs.batches(1, 256, IMAGE, 8)[0].features(), IMAGE, new int[256]);
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.torchScript(modelFile), Device.CPU, 1);
        var settings = strategy.equals("rmt") ? ConfigFactory.parseString("warmup-samples = 0") : ConfigFactory.empty();
        try (AdaptationStrategy s = StrategyRegistry.load().create(strategy, new StrategyContext(model, settings, 1, source))) {
            for (int i = 0; i < warmup; i++) {
                s.predict(inputs[i]);
            }
            JniUtils.startProfile(false, false, false);
            for (int i = warmup; i < warmup + batches; i++) {
                s.predict(inputs[i]);
            }
            JniUtils.stopProfile(out.toString());
        }
        model.close();
        System.out.println("wrote " + out);
    }

    private static void pieces(Path modelFile, int batches, int warmup) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        InputBatch[] inputs = BenchInputs.batches(warmup + batches, BATCH, IMAGE, 7);
        AdaptiveModel adaptive = AdaptiveModel.create(ModelSpec.torchScript(modelFile), Device.CPU, 1);
        SourceData none = new SourceData(BenchInputs.batches(1, 256, IMAGE, 8)[0].features(), IMAGE, new int[256]);
        try (AdaptationStrategy source = StrategyRegistry.load().create("source", new StrategyContext(adaptive, ConfigFactory.empty(), 1, none));
                Model plain = Model.newInstance("plain", ai.djl.Device.cpu(), "PyTorch")) {
            plain.load(modelFile.getParent(), modelFile.getFileName().toString());
            Block block = plain.getBlock();
            NDManager m = plain.getNDManager();
            ParameterStore ps = new ParameterStore(m, false);
            NDArray w1 = m.randomNormal(new Shape(16, 1, 3, 3));
            NDArray b1 = m.zeros(new Shape(16));
            NDArray w2 = m.randomNormal(new Shape(32, 16, 3, 3));
            NDArray b2 = m.zeros(new Shape(32));
            for (int round = 0; round < 3; round++) {
                double plainMs = time(threads, warmup, batches, i -> {
                    try (NDManager step = m.newSubManager()) {
                        NDArray x = step.create(inputs[i].features(), new Shape(BATCH, 1, 28, 28));
                        block.forward(ps, new NDList(x), false).head().toFloatArray();
                    }
                });
                double ctta = time(threads, warmup, batches, i -> {
                    try (StepScope step = adaptive.newStep()) {
                        adaptive.forward(step.manager(), inputs[i], ForwardMode.EVAL).head().toFloatArray();
                    }
                });
                com.sun.management.OperatingSystemMXBean os =
                        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long p0 = os.getProcessCpuTime();
                double predict = time(threads, warmup, batches, i -> source.predict(inputs[i]));
                double processMs = (os.getProcessCpuTime() - p0) / 1e6 / (warmup + batches);
                double[] parts = new double[4];
                time(threads, warmup, batches, i -> {
                    try (NDManager step = m.newSubManager()) {
                        NDArray x = step.create(inputs[i].features(), new Shape(BATCH, 1, 28, 28));
                        long t0 = threads.getCurrentThreadCpuTime();
                        NDArray c1 = ai.djl.nn.convolutional.Conv2d.conv2d(x, w1, b1, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).head();
                        long t1 = threads.getCurrentThreadCpuTime();
                        NDArray p1 = Pool.maxPool2d(ai.djl.nn.Activation.relu(c1), new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
                        long t2 = threads.getCurrentThreadCpuTime();
                        NDArray c2 = ai.djl.nn.convolutional.Conv2d.conv2d(p1, w2, b2, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).head();
                        long t3 = threads.getCurrentThreadCpuTime();
                        Pool.maxPool2d(c2, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
                        long t4 = threads.getCurrentThreadCpuTime();
                        if (i >= warmup) {
                            parts[0] += t1 - t0;
                            parts[1] += t2 - t1;
                            parts[2] += t3 - t2;
                            parts[3] += t4 - t3;
                        }
                    }
                });
                System.out.printf(Locale.ROOT, "round %d: ms per batch of %d: DJL PtSymbolBlock.forward %.3f, ctta AdaptiveModel.forward %.3f,"
                        + " source predict %.3f (process CPU %.3f);"
                        + " conv1 %.3f, relu+maxpool1 %.3f, conv2 %.3f, maxpool2 %.3f%n", round, BATCH, plainMs, ctta, predict, processMs,
                        parts[0] / batches / 1e6, parts[1] / batches / 1e6, parts[2] / batches / 1e6, parts[3] / batches / 1e6);
            }
        } finally {
            adaptive.close();
        }
    }

    private interface Step {
        void run(int i) throws Exception;
    }

    /** Thread CPU milliseconds per batch over the timed batches. */
    private static double time(ThreadMXBean threads, int warmup, int batches, Step step) throws Exception {
        for (int i = 0; i < warmup; i++) {
            step.run(i);
        }
        long t0 = threads.getCurrentThreadCpuTime();
        for (int i = warmup; i < warmup + batches; i++) {
            step.run(i);
        }
        return (threads.getCurrentThreadCpuTime() - t0) / 1e6 / batches;
    }
}
