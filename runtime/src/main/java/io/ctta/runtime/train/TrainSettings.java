package io.ctta.runtime.train;

/**
 * Supervised training knobs.
 *
 * @param epochs passes over the data (>= 1)
 * @param batchSize minibatch size (>= 2, BatchNorm needs more than one sample)
 * @param learningRate Adam learning rate (> 0)
 * @param seed seeds the shuffling
 */
public record TrainSettings(int epochs, int batchSize, float learningRate, long seed) {
    public TrainSettings {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("batchSize must be >= 2 (BatchNorm needs batch statistics), got "
                    + batchSize);
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be a finite number > 0, got " + learningRate);
        }
    }

    /** Defaults for the built-in CNN: 1 epoch, batch 64, Adam lr 1e-3. */
    public static TrainSettings defaults(long seed) {
        return new TrainSettings(1, 64, 1e-3f, seed);
    }
}
