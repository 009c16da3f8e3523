package io.ctta.benchmarks.jmh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.ctta.runtime.adapt.optim.GaussianNoise;
import java.util.concurrent.TimeUnit;
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
 * UPGD's per-step Gaussian noise for the paper MLP's largest tensor (300x784, 235,200 of its
 * 282,160 weights): drawn from the seeded counter-based generator and made a native tensor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UpgdNoiseBench {

    private static final Shape SHAPE = new Shape(300, 784);

    private NDManager manager;
    private ByteBuffer reused;
    private long step;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager();
        reused = ByteBuffer.allocateDirect((int) SHAPE.size() * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    /** Heap draw into a fresh array, then copied into a fresh native tensor (the original path). */
    @Benchmark
    public float heapDrawAndCopy() {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray xi = scratch.create(GaussianNoise.sample(7, ++step, 0, (int) SHAPE.size(), 0.001), SHAPE);
            return xi.getShape().dimension();
        }
    }

    /** Drawn straight into a reused native-order direct buffer that libtorch reads as it is (the optimizers' path now). */
    @Benchmark
    public float reusedBufferDraw() {
        try (NDManager scratch = manager.newSubManager()) {
            GaussianNoise.fill(reused.asFloatBuffer(), 7, ++step, 0, (int) SHAPE.size(), 0.001);
            NDArray xi = scratch.create(reused, SHAPE, DataType.FLOAT32);
            return xi.getShape().dimension();
        }
    }
}
