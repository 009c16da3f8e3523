package io.ctta.runtime.data;

import java.util.Objects;

/**
 * The predictions for one {@link InputBatch}, on the heap: class probabilities per sample
 * (row-major, {@code size x numClasses}), the model version that produced them, and what the
 * adaptation step after the prediction did.
 *
 * <p>Predictions always come from the forward pass made before the batch's own update
 * ("predict, then adapt").
 */
public record ModelOutput(int size, int numClasses, float[] probabilities, long modelVersion, StepOutcome step) {

    public ModelOutput {
        Objects.requireNonNull(probabilities, "probabilities");
        Objects.requireNonNull(step, "step");
        if ((long) size * numClasses != probabilities.length) {
            throw new IllegalArgumentException("probabilities hold " + probabilities.length
                    + " values, expected " + size + " x " + numClasses);
        }
    }

    /** The arg-max class of sample {@code i}. */
    public int predictedClass(int i) {
        int base = i * numClasses;
        int best = 0;
        for (int c = 1; c < numClasses; c++) {
            if (probabilities[base + c] > probabilities[base + best]) {
                best = c;
            }
        }
        return best;
    }

    /** The probability vector of sample {@code i} (a copy). */
    public float[] probabilitiesOf(int i) {
        float[] p = new float[numClasses];
        System.arraycopy(probabilities, i * numClasses, p, 0, numClasses);
        return p;
    }

    /** The largest probability of sample {@code i}. */
    public double confidence(int i) {
        return probabilities[i * numClasses + predictedClass(i)];
    }

    /** Shannon entropy (nats) of sample {@code i}'s prediction. */
    public double entropy(int i) {
        double h = 0;
        int base = i * numClasses;
        for (int c = 0; c < numClasses; c++) {
            double p = probabilities[base + c];
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** Returns a copy with another step outcome. */
    public ModelOutput withStep(StepOutcome outcome) {
        return new ModelOutput(size, numClasses, probabilities, modelVersion, outcome);
    }
}
