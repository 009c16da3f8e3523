package io.ctta.actors.model;

import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;

/**
 * Decides when adaptation must be undone. Two signals: consecutive diverged steps (a non-finite
 * loss or gradient, which the strategy already refused to apply) and collapse, the failure mode of
 * nearly every continual TTA method, seen as the exponential moving average of the batch mean
 * entropy falling under a threshold (SAR's model-recovery rule). The threshold scales with
 * {@code ln C} (the largest possible entropy of C classes), so one setting fits 10 and 1,000
 * classes; the entropy is the one the strategy reports
 * ({@link io.ctta.runtime.adapt.AdaptationStrategy#collapseEntropy}). Pure bookkeeping: the model
 * actor carries out what it returns.
 */
public final class Guards {

    /** What the model actor must do after a batch. */
    enum Action {
        NONE,
        /** Restore the last good checkpoint (or the source weights without one). */
        ROLLBACK,
        /** Reset to the source weights: the model collapsed. */
        RESET_COLLAPSE
    }

    /**
     * The guard settings.
     *
     * @param crashesBeforeDeadLetter times a record may crash the model actor before it is
     *     dead-lettered instead of served
     */
    public record Settings(int maxDivergedInARow, boolean collapseEnabled, double relativeEntropyThreshold, double emaMomentum,
            int cooldownBatches, int crashesBeforeDeadLetter) {
        /** SAR's 0.2 nats at 1,000 classes, as a fraction of ln C. */
        public static final double DEFAULT_RELATIVE_THRESHOLD = 0.029;

        public Settings(int maxDivergedInARow, boolean collapseEnabled, double relativeEntropyThreshold, double emaMomentum,
                int cooldownBatches) {
            this(maxDivergedInARow, collapseEnabled, relativeEntropyThreshold, emaMomentum, cooldownBatches, 3);
        }

        public static Settings defaults() {
            return new Settings(3, true, DEFAULT_RELATIVE_THRESHOLD, 0.9, 50, 3);
        }

        /** The threshold in nats for {@code classes} classes. */
        public double entropyThreshold(int classes) {
            return relativeEntropyThreshold * Math.log(classes);
        }
    }

    private final Settings settings;
    private int divergedInARow;
    private double entropyEma = Double.NaN;
    private int batchesSinceReset = Integer.MAX_VALUE / 2;

    Guards(Settings settings) {
        this.settings = settings;
    }

    /**
     * Feeds one served batch and returns the action it calls for.
     *
     * @param entropy the batch mean entropy the strategy reports for collapse detection, asked for
     *     only when collapse detection judges this batch (it may cost a device round trip)
     */
    Action observe(ModelOutput out, java.util.function.DoubleSupplier entropy) {
        batchesSinceReset++;
        if (out.step().kind() == StepOutcome.Kind.DIVERGED) {
            if (++divergedInARow >= settings.maxDivergedInARow()) {
                divergedInARow = 0;
                return Action.ROLLBACK;
            }
        } else {
            divergedInARow = 0;
        }
        if (!settings.collapseEnabled() || out.step().kind() == StepOutcome.Kind.NONE) {
            return Action.NONE;
        }
        double h = entropy.getAsDouble();
        if (!Double.isFinite(h)) {
            return Action.NONE;
        }
        entropyEma = Double.isNaN(entropyEma) ? h : settings.emaMomentum() * entropyEma + (1 - settings.emaMomentum()) * h;
        if (entropyEma < settings.entropyThreshold(out.numClasses()) && batchesSinceReset >= settings.cooldownBatches()) {
            batchesSinceReset = 0;
            entropyEma = Double.NaN;
            return Action.RESET_COLLAPSE;
        }
        return Action.NONE;
    }

    /** Whether every probability is finite: a non-finite output is never published. */
    static boolean finite(ModelOutput out) {
        for (float p : out.probabilities()) {
            if (!Float.isFinite(p)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every tensor of a state is finite: a non-finite state is never checkpointed. */
    static boolean finite(io.ctta.runtime.adapt.StrategyState state) {
        for (var t : state.tensors().values()) {
            for (float v : t.data()) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }
}
