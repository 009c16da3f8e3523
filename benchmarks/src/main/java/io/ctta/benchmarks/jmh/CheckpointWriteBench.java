package io.ctta.benchmarks.jmh;

import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One durable checkpoint write (format, checksum, fsync, manifest) into a temporary directory: the
 * state of {@code upgd} on the paper MLP (weights and utility traces, about 2.3 MB of floats).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CheckpointWriteBench {

    private Path dir;
    private FileCheckpointStore store;
    private StrategyState state;
    private long epoch;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        AdaptiveModel model = AdaptiveModel.create(BenchInputs.paperMlp(), Device.CPU, 1);
        try (AdaptationStrategy s = StrategyRegistry.load().create("upgd", new StrategyContext(model, ConfigFactory.empty(), 1))) {
            state = s.snapshot();
        }
        dir = Files.createTempDirectory("ctta-jmh-ckpt");
        store = new FileCheckpointStore(dir, "jmh");
        epoch = store.claimEpoch();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public CheckpointEntry write() throws Exception {
        sequence++;
        return store.write(Checkpoint.of("jmh", epoch, sequence, Map.of("in", Map.of(0, sequence)), state, Map.of(),
                sequence, "jmh", sequence));
    }
}
