package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;

/**
 * Loss terms over logits: prediction entropy (TENT's loss) and cross-entropy. Entropy is always computed as
 * {@code -Σ softmax(z) · log_softmax(z)}, never {@code log(softmax(z))}, so it stays finite for
 * confident predictions. Results attach to {@code logits}' manager (the step's).
 */
public final class Objectives {

    private Objectives() {}

    /** Shannon entropy in nats of each row of {@code logits} (B x C), shape (B). */
    public static NDArray entropyPerSample(NDArray logits) {
        NDArray logp = logits.logSoftmax(-1);
        return logp.exp().mul(logp).sum(new int[] {-1}).neg();
    }

    /** Mean entropy over the batch, a scalar (TENT's loss). */
    public static NDArray meanEntropy(NDArray logits) {
        return entropyPerSample(logits).mean();
    }

    /**
     * Mean cross-entropy of integer class labels against {@code logits}, a scalar.
     *
     * @param labels shape (B), any integer or float type holding class indices
     */
    public static NDArray softmaxCrossEntropy(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(-1);
        NDArray oneHot = labels.toType(ai.djl.ndarray.types.DataType.INT64, false)
                .oneHot(Math.toIntExact(logits.getShape().get(1)));
        return logp.mul(oneHot.toType(logp.getDataType(), false)).sum(new int[] {-1}).neg().mean();
    }
}
