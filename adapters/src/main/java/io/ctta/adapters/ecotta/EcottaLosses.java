package io.ctta.adapters.ecotta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.ctta.runtime.adapt.GraphScalars;
import io.ctta.runtime.adapt.Objectives;

/**
 * EcoTTA's loss terms (Song et al., CVPR 2023; docs/strategies/ecotta.md). Results attach to the inputs' manager (the
 * step's) and keep the autograd graph of their inputs.
 */
public final class EcottaLosses {

    private EcottaLosses() {}

    /**
     * The entropy term after the confidence filter.
     *
     * @param loss a scalar: the mean entropy of the kept samples, 0 when none is kept
     * @param kept how many samples passed the filter
     * @param total the batch size
     */
    public record FilteredEntropy(NDArray loss, int kept, int total) {
        /** The fraction of the batch that passed the filter. */
        public double keptFraction() {
            return total == 0 ? 0 : (double) kept / total;
        }
    }

    /**
     * Mean entropy over the samples whose entropy is below {@code threshold} (EATA's filter, Niu et al., ICML 2022, which EcoTTA follows):
     * {@code L = Σ_i 1[H_i < H0] · H_i / max(1, #kept)}. The mask is computed without gradient.
     * When no sample passes, the term is exactly 0 (the community code takes the mean of an empty
     * tensor and gets NaN); a NaN entropy is never kept but still makes the loss NaN, so broken
     * inputs surface as a diverged step rather than a silent skip.
     *
     * @param logits B x C
     * @param threshold {@code H0}, e.g. {@code 0.4 · ln C}
     */
    public static FilteredEntropy filteredMeanEntropy(NDArray logits, double threshold) {
        NDArray h = Objectives.entropyPerSample(logits);
        NDArray mask = h.stopGradient().lt((float) threshold).toType(DataType.FLOAT32, false);
        int kept = Math.round(mask.sum().getFloat());
        NDArray loss = GraphScalars.div(h.mul(mask).sum(), Math.max(1, kept));
        return new FilteredEntropy(loss, kept, Math.toIntExact(h.getShape().get(0)));
    }

    /**
     * The self-distilled regulariser of one partition: {@code mean |modified - frozen|} (L1, averaged
     * over all elements). Pass {@code frozen} detached (the paper's {@code ‖x̃_k − x_k‖₁}).
     */
    public static NDArray selfDistillation(NDArray modified, NDArray frozen) {
        NDArray diff = modified.sub(frozen);
        NDArray abs = diff.abs();
        NDArray r = abs.mean();
        // Free the element-wise temporaries now rather than at the end of the step; autograd keeps
        // what its backward pass needs.
        abs.close();
        diff.close();
        return r;
    }
}
