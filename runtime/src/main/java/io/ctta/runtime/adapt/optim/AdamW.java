package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * Adam with decoupled weight decay as in {@code torch.optim.AdamW} (no amsgrad):
 * {@code W ← (1 − α·λ)·W}, then {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code W ← W − α · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)}.
 *
 * <p>The update is {@link Adam}'s with the decay term; this class adds the range checks and names
 * its state {@code adamw.m/…}, {@code adamw.v/…}.
 *
 * <p>{@code β1 = 0} (no momentum, {@code m = g}) is allowed: it is the tuned streaming setting of
 * the UPGD paper's AdamW baseline (Elsayed and Mahmood, ICLR 2024; docs/strategies/sgd-adam.md).
 */
public final class AdamW extends Adam {

    /**
     * @param parent the manager to hang this optimizer's state manager under
     * @param shapes the parameters it will update, by name
     * @throws IllegalArgumentException when a value is out of range or {@code α·λ ≥ 1}
     */
    public AdamW(NDManager parent, Map<String, Shape> shapes, float lr, float beta1, float beta2, float epsilon,
            float weightDecay) {
        // Checked inside the call, so that nothing is allocated for invalid values.
        super(parent, shapes, lr, beta1, beta2, epsilon, checked(lr, beta1, beta2, epsilon, weightDecay), "adamw");
    }

    /** {@code weightDecay}, once all values are in range. */
    private static float checked(float lr, float beta1, float beta2, float epsilon, float weightDecay) {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        }
        if (!(weightDecay >= 0) || lr * weightDecay >= 1) {
            throw new IllegalArgumentException("weight decay must be >= 0 with lr * weight decay < 1, got " + weightDecay);
        }
        return weightDecay;
    }
}
