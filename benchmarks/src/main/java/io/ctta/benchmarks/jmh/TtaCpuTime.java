package io.ctta.benchmarks.jmh;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.benchmarks.Machine;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Test-time adaptation at batch 64 on a TorchScript model (by default the BN CNN fixture
 * {@code fixtures/torchscript/cnn-twin.pt}, the network {@code benchmarks/python/tent_reference.py}
 * runs) timed by the process's CPU time as well as by the clock, one {@code predict} (which
 * adapts) per batch of Fashion-MNIST test images, in order. Why process CPU time: with libtorch on
 * two threads the intra-op worker counts as much as the calling thread, and on a shared machine
 * the wall clock measures the neighbours; after the warm-up the JIT and GC threads add little.
 * Run with {@code -Dai.djl.pytorch.num_threads=2}. Arguments:
 * {@code [batches] [strategies] [model.pt] [warm-up batches]}; prints
 * {@code ctta <strategy> <samples per CPU-second> <samples/s wall>} per strategy.
 */
public final class TtaCpuTime {

    private static final int BATCH = 64;
    private static final int[] IMAGE = {1, 28, 28};
    private static final int SOURCE_SAMPLES = 256;

    private TtaCpuTime() {}

    public static void main(String[] args) throws IOException {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        String[] strategies = (args.length > 1 ? args[1] : "source,norm,tent,rmt").split(",");
        Path modelFile = Path.of(args.length > 2 ? args[2] : "fixtures/torchscript/cnn-twin.pt");
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.println("# machine: " + Machine.describe() + " | libtorch threads "
                + System.getProperty("ai.djl.pytorch.num_threads", "default") + " | model " + modelFile);
        InputBatch[] inputs = batchesOf(FashionMnist.load(FashionMnist.Split.TEST), warmup + batches);
        LabeledImages train = FashionMnist.load(FashionMnist.Split.TRAIN).slice(0, SOURCE_SAMPLES);
        SourceData source = new SourceData(train.allFeatures(), IMAGE, train.labels());
        for (String name : strategies) {
            // rmt's one-off warm-up on source data is not a per-step cost (as in TtaStepBench).
            Config settings = name.equals("rmt") ? ConfigFactory.parseString("warmup-samples = 0") : ConfigFactory.empty();
            AdaptiveModel model = AdaptiveModel.create(ModelSpec.torchScript(modelFile), Device.CPU, 1);
            try (AdaptationStrategy s = StrategyRegistry.load().create(name, new StrategyContext(model, settings, 1, source))) {
                for (int i = 0; i < warmup; i++) {
                    s.predict(inputs[i]);
                }
                long cpu0 = os.getProcessCpuTime();
                long wall0 = System.nanoTime();
                for (int i = warmup; i < warmup + batches; i++) {
                    s.predict(inputs[i]);
                }
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                double wall = (System.nanoTime() - wall0) / 1e9;
                double samples = (double) batches * BATCH;
                System.out.printf(Locale.ROOT, "ctta %s %.1f %.1f%n", name, samples / cpu, samples / wall);
            }
        }
    }

    /** {@code count} batches of 64 test images in order, from the start again after the last whole batch; raw pixels (the model's sidecar normalises). */
    private static InputBatch[] batchesOf(LabeledImages images, int count) {
        float[] all = images.allFeatures();
        int per = InputBatch.sampleLength(IMAGE);
        int whole = images.count() / BATCH;
        InputBatch[] out = new InputBatch[count];
        for (int b = 0; b < count; b++) {
            int from = (b % whole) * BATCH * per;
            out[b] = new InputBatch(BATCH, IMAGE, Arrays.copyOfRange(all, from, from + BATCH * per));
        }
        return out;
    }
}
