package io.ctta.benchmarks.jmh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
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
 * 282,160 weights), made a native tensor: drawn by libtorch from a seeded generator (the
 * optimizers' path, {@link GaussianNoise#draw}) against drawn on the Java heap with
 * {@link SplittableRandom#nextGaussian()} into a reused direct buffer (the earlier path).
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

    /** libtorch's generator, seeded per (seed, step, tensor): the optimizers' path. */
    @Benchmark
    public float libtorchDraw() {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray xi = GaussianNoise.draw(scratch, 7, ++step, 0, SHAPE, 0.001);
            return xi.getShape().dimension();
        }
    }

    /** Drawn on the heap into a reused native-order direct buffer that libtorch reads as it is (the earlier path). */
    @Benchmark
    public float heapDrawIntoReusedBuffer() {
        try (NDManager scratch = manager.newSubManager()) {
            FloatBuffer f = reused.asFloatBuffer();
            SplittableRandom rng = new SplittableRandom(GaussianNoise.generatorSeed(7, ++step, 0));
            for (int k = 0, n = (int) SHAPE.size(); k < n; k++) {
                f.put(k, (float) (rng.nextGaussian() * 0.001));
            }
            NDArray xi = scratch.create(reused, SHAPE, DataType.FLOAT32);
            return xi.getShape().dimension();
        }
    }
}
