package io.ctta.runtime.train;

/**
 * What a training run did.
 *
 * @param steps optimizer steps applied
 * @param skippedSteps steps skipped (zero or non-finite gradients)
 * @param finalEpochLoss mean training loss over the last epoch
 * @param finalEpochAccuracy training accuracy over the last epoch (train-mode forwards)
 * @param millis wall time
 */
public record TrainReport(long steps, long skippedSteps, double finalEpochLoss, double finalEpochAccuracy,
        long millis) {}
