package io.ctta.benchmarks.continual;

import io.ctta.runtime.diagnostics.Plasticity;
import java.util.List;

/**
 * What one strategy did over the stream.
 *
 * @param strategy the strategy name
 * @param taskAccuracy online (prequential) accuracy of each task, in stream order
 * @param taskPlasticity mean sample plasticity of each task's applied steps (NaN when not measured)
 * @param probes plasticity probes, the first before any learning
 * @param samples samples predicted and learned
 * @param busyNanos time spent in predict + learn (diagnostics excluded)
 * @param applied learn calls that updated the parameters
 * @param skipped learn calls skipped (zero gradient, bad label)
 * @param diverged learn calls with a non-finite loss or gradient
 */
public record StrategyRun(String strategy, double[] taskAccuracy, double[] taskPlasticity, List<ProbePoint> probes,
        long samples, long busyNanos, long applied, long skipped, long diverged) {

    /**
     * A probe after {@code tasks} tasks.
     *
     * @param tasks tasks completed when the probe ran (0 = the initial model)
     * @param probe what it measured
     */
    public record ProbePoint(int tasks, Plasticity.Probe probe) {}

    /** Prequential throughput: samples per second of predict + learn. */
    double samplesPerSecond() {
        return busyNanos == 0 ? Double.NaN : samples * 1e9 / busyNanos;
    }

    /** Mean of {@code values[floor(from·T) .. ceil(to·T))}, ignoring NaN entries. */
    static double mean(double[] values, double from, double to) {
        int n = values.length;
        int a = (int) Math.floor(from * n);
        int b = Math.max(a + 1, (int) Math.ceil(to * n));
        double sum = 0;
        int count = 0;
        for (int i = a; i < Math.min(b, n); i++) {
            if (!Double.isNaN(values[i])) {
                sum += values[i];
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** The last probe. */
    Plasticity.Probe finalProbe() {
        return probes.get(probes.size() - 1).probe();
    }
}
