package io.ctta.benchmarks.jmh;

import com.typesafe.config.ConfigFactory;
import io.ctta.benchmarks.Machine;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * {@link LearnerStepBench}'s step timed by the calling thread's CPU time as well as by the clock.
 * Why: on a shared machine the wall clock measures the neighbours; with libtorch on one thread
 * (run with {@code -Dai.djl.pytorch.num_threads=1}) every operation runs on the calling thread,
 * so steps per CPU-second is the cost of the step itself. Arguments: {@code [steps] [strategies]}.
 */
public final class StepCpuTime {

    private StepCpuTime() {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        String[] strategies = (args.length > 1 ? args[1] : "sgd,adam,upgd").split(",");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("# machine: " + Machine.describe() + " | libtorch threads "
                + System.getProperty("ai.djl.pytorch.num_threads", "default"));
        InputBatch[] inputs = BenchInputs.batches(64, 1, new int[] {784}, 2);
        int[][] labels = BenchInputs.labels(64, 1, 10, 3);
        for (String name : strategies) {
            for (boolean fused : new boolean[] {false, true}) {
                AdaptiveModel model = AdaptiveModel.create(BenchInputs.paperMlp(), Device.CPU, 1);
                try (AdaptationStrategy s = StrategyRegistry.load().create(name,
                        new StrategyContext(model, ConfigFactory.empty(), 1))) {
                    for (int i = 0; i < steps / 4; i++) {
                        step(s, fused, inputs[i % 64], labels[i % 64]);
                    }
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long wall0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        step(s, fused, inputs[i % 64], labels[i % 64]);
                    }
                    double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
                    double wall = (System.nanoTime() - wall0) / 1e9;
                    System.out.printf(Locale.ROOT, "%-6s %-16s %8.1f steps per CPU-second %8.1f steps/s (wall)%n", name,
                            fused ? "predictAndLearn" : "predictThenLearn", steps / cpu, steps / wall);
                }
            }
        }
    }

    private static void step(AdaptationStrategy s, boolean fused, InputBatch x, int[] y) {
        if (fused) {
            s.predictAndLearn(x, y);
        } else {
            s.predict(x);
            s.learn(x, y);
        }
    }
}
