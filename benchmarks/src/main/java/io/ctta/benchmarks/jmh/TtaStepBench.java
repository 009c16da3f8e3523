package io.ctta.benchmarks.jmh;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
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

/**
 * One test-time-adaptation step ({@code predict}, which adapts) on the built-in BatchNorm CNN at
 * batch 64; multiply ops/s by the batch for samples/s. {@code rmt} gets 256 synthetic source
 * samples for its prototypes and replay, and no warm-up (its cost is paid once, not per step).
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
        "-Dai.djl.pytorch.num_interop_threads=1"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TtaStepBench {

    private static final int DISTINCT_BATCHES = 16;
    private static final int[] IMAGE = {1, 28, 28};

    @Param({"source", "norm", "tent", "rmt"})
    public String strategy;

    @Param({"64"})
    public int batch;

    private AdaptationStrategy adapter;
    private InputBatch[] inputs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
        Config settings = strategy.equals("rmt") ? ConfigFactory.parseString("warmup-samples = 0") : ConfigFactory.empty();
        InputBatch source = BenchInputs.batches(1, 256, IMAGE, 4)[0];
        SourceData sourceData = new SourceData(source.features(), IMAGE, BenchInputs.labels(1, 256, 10, 5)[0]);
        adapter = StrategyRegistry.load().create(strategy, new StrategyContext(model, settings, 1, sourceData));
        inputs = BenchInputs.batches(DISTINCT_BATCHES, batch, IMAGE, 6);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        adapter.close();
    }

    @Benchmark
    public Object predict() {
        return adapter.predict(inputs[next++ % DISTINCT_BATCHES]);
    }
}
