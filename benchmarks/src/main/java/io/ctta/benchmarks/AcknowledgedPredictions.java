package io.ctta.benchmarks;

import io.ctta.actors.CttaRuntime;
import io.ctta.actors.pipeline.PipelineStoppedException;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;

/**
 * Waits until a pipeline's predictions were all acknowledged by Kafka, watching the pipeline's own
 * {@code ctta.predictions} counter (counted on acknowledgement) instead of consuming the
 * predictions: a consumer decoding JSON in the measured JVM would take CPU from the pipeline it
 * measures, which a real deployment's consumers, elsewhere, do not. The pipeline tests check the
 * predictions themselves.
 */
final class AcknowledgedPredictions {

    /**
     * How many predictions were acknowledged, the milliseconds between the first and the last, and
     * the CPU time this JVM and the broker's process (-1: unknown) consumed meanwhile.
     */
    record Span(long count, long spanMs, long cpuNanos, long brokerCpuNanos, java.util.Map<String, Long> threadCpuNanos) {}

    private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

    private AcknowledgedPredictions() {}

    /**
     * @throws IllegalStateException when no prediction is acknowledged for {@code stall}
     * @throws PipelineStoppedException when the pipeline stopped for good
     */
    static Span await(CttaRuntime runtime, String pipeline, long expected, Duration stall, long brokerPid) throws InterruptedException {
        Counter predictions = runtime.registry().get("ctta.predictions").tag("pipeline", pipeline).counter();
        long first = 0;
        long last = 0;
        long seen = 0;
        long cpu0 = 0;
        long broker0 = -1;
        java.util.Map<Long, java.util.Map.Entry<String, Long>> threads0 = java.util.Map.of();
        long progress = System.nanoTime();
        while (seen < expected) {
            var failure = runtime.failures().first();
            if (failure.isPresent()) {
                throw new PipelineStoppedException(failure.get());
            }
            long now = System.nanoTime();
            long count = (long) predictions.count();
            if (count > seen) {
                if (seen == 0) {
                    first = now;
                    cpu0 = CpuTime.thisProcess();
                    broker0 = brokerPid < 0 ? -1 : CpuTime.ofProcess(brokerPid);
                    threads0 = ThreadCpu.snapshot();
                }
                seen = count;
                last = now;
                progress = now;
            } else if (now - progress > stall.toNanos()) {
                throw new IllegalStateException("pipeline " + pipeline + ": no prediction acknowledged for " + stall.toSeconds() + " s; "
                        + seen + " of " + expected);
            }
            // A benchmark's wait, not a test's: the counter has no listener to block on.
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
        }
        long broker = broker0 < 0 ? -1 : CpuTime.ofProcess(brokerPid) - broker0;
        return new Span(seen, (last - first) / 1_000_000, CpuTime.thisProcess() - cpu0, broker,
                ThreadCpu.between(threads0, ThreadCpu.snapshot()));
    }
}
