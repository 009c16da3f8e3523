package io.ctta.benchmarks.jmh;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One prequential step of a continual learner on the UPGD paper's 784-300-150-10 MLP: predict the
 * batch with the current weights, then learn its labels (the online-learning protocol; ops/s at
 * batch 1 are the paper's steps/s). Labels are random, as in the label-permuted stream.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LearnerStepBench {

    private static final int DISTINCT_BATCHES = 64;

    @Param({"sgd", "adam", "upgd"})
    public String strategy;

    @Param({"1", "64"})
    public int batch;

    private AdaptationStrategy learner;
    private InputBatch[] inputs;
    private int[][] labels;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        AdaptiveModel model = AdaptiveModel.create(BenchInputs.paperMlp(), Device.CPU, 1);
        learner = StrategyRegistry.load().create(strategy, new StrategyContext(model, ConfigFactory.empty(), 1));
        inputs = BenchInputs.batches(DISTINCT_BATCHES, batch, new int[] {784}, 2);
        labels = BenchInputs.labels(DISTINCT_BATCHES, batch, 10, 3);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        learner.close();
    }

    /** {@code predict} then {@code learn}: two calls, as every caller made them before {@code predictAndLearn}. */
    @Benchmark
    public void predictThenLearn(Blackhole bh) {
        int k = next++ % DISTINCT_BATCHES;
        ModelOutput out = learner.predict(inputs[k]);
        StepOutcome step = learner.learn(inputs[k], labels[k]);
        bh.consume(out);
        bh.consume(step);
    }

    /** The same step through {@code predictAndLearn}, which answers both from one forward where it can. */
    @Benchmark
    public ModelOutput predictAndLearn() {
        int k = next++ % DISTINCT_BATCHES;
        return learner.predictAndLearn(inputs[k], labels[k]);
    }
}
