package io.ctta.benchmarks.jmh;

import io.ctta.runtime.drift.AdwinDetector;
import io.ctta.runtime.drift.DriftLevel;
import io.ctta.runtime.drift.KsDriftDetector;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One update of a drift detector with its default settings on a stationary stream (the common
 * case: most updates find no drift): ADWIN on a per-record error, KS on a 10-wide vector.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DriftDetectorBench {

    private static final int VALUES = 4096;

    private AdwinDetector adwin;
    private KsDriftDetector ks;
    private double[] errors;
    private double[][] vectors;
    private int next;

    @Setup
    public void setUp() {
        adwin = new AdwinDetector();
        ks = new KsDriftDetector();
        SplittableRandom rng = new SplittableRandom(9);
        errors = new double[VALUES];
        vectors = new double[VALUES][10];
        for (int i = 0; i < VALUES; i++) {
            errors[i] = rng.nextDouble() < 0.2 ? 1 : 0;
            for (int d = 0; d < 10; d++) {
                vectors[i][d] = rng.nextGaussian();
            }
        }
    }

    @Benchmark
    public DriftLevel adwinUpdate() {
        return adwin.update(errors[next++ & (VALUES - 1)]);
    }

    @Benchmark
    public DriftLevel ksUpdate() {
        return ks.update(vectors[next++ & (VALUES - 1)]);
    }
}
