package io.ctta.benchmarks.tta;

import java.util.List;

/**
 * What one worker process measured for one strategy; written as JSON for the parent.
 *
 * @param strategy the strategy name
 * @param domains domain names in stream order
 * @param errors error rate per round (outer) per domain (inner)
 * @param adaptedSamplesPerSecond samples through {@code predict} (with adaptation) per second, all rounds
 * @param setupRssMiB resident memory after the model, strategy and data were ready
 * @param peakRssMiB peak resident memory of the worker
 * @param stateBytes bytes of the strategy's snapshot (parameters it adapts, optimizer state, teacher...)
 * @param steps adaptation outcomes counted over the run: applied, skipped, diverged, none
 */
public record TtaWorkerResult(
        String strategy,
        List<String> domains,
        List<List<Double>> errors,
        double adaptedSamplesPerSecond,
        double setupRssMiB,
        double peakRssMiB,
        long stateBytes,
        List<Long> steps) {}
