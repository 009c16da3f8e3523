package io.ctta.benchmarks.jmh;

import com.typesafe.config.ConfigFactory;
import io.ctta.benchmarks.Machine;
import io.ctta.adapters.continual.ContinualStrategy;
import io.ctta.adapters.continual.LearnerSettings;
import io.ctta.adapters.continual.OptimizerSettings;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
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
 * Each strategy runs twice: as registered (for this MLP, sgd, adam and upgd take the fused
 * one-call step) and on the generic path.
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
            // predictAndLearn: the path strategies take (one fused native call for this MLP where the
            // strategy has a fused form); generic: the same step through DJL's forward, autograd and
            // the optimizer's own update (the path before the fused kernel, and every other model's).
            for (boolean generic : new boolean[] {false, true}) {
                AdaptiveModel model = AdaptiveModel.create(BenchInputs.paperMlp(), Device.CPU, 1);
                try (AdaptationStrategy s = create(name, model, generic)) {
                    for (int i = 0; i < steps / 4; i++) {
                        s.predictAndLearn(inputs[i % 64], labels[i % 64]);
                    }
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long wall0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        s.predictAndLearn(inputs[i % 64], labels[i % 64]);
                    }
                    double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
                    double wall = (System.nanoTime() - wall0) / 1e9;
                    System.out.printf(Locale.ROOT, "%-6s %-16s %8.1f steps per CPU-second %8.1f steps/s (wall)%n", name,
                            generic ? "generic" : "predictAndLearn", steps / cpu, steps / wall);
                }
            }
        }
    }

    /** The registered strategy; with {@code generic}, a continual learner forced off its fused path. */
    private static AdaptationStrategy create(String name, AdaptiveModel model, boolean generic) {
        AdaptationStrategy s = StrategyRegistry.load().create(name, new StrategyContext(model, ConfigFactory.empty(), 1));
        if (!generic || !(s instanceof ContinualStrategy c)) {
            return s;
        }
        OptimizerSettings o = c.optimizerSettings();
        LearnerSettings l = c.settings();
        c.close();
        return new ContinualStrategy(name, AdaptiveModel.create(BenchInputs.paperMlp(), Device.CPU, 1), o, l,
                GradientGate.shared(), 1, false);
    }
}
