package io.ctta.adapters.support;

import ai.djl.ndarray.NDArray;
import io.ctta.runtime.adapt.Gradients;
import io.ctta.runtime.data.StepOutcome;
import java.util.List;

/** The check every gradient step makes between the backward pass and the optimizer step. */
public final class GradientGuard {

    private GradientGuard() {}

    /**
     * Null when the gradients can be applied. Otherwise zeroes them all and returns the outcome:
     * DIVERGED for a non-finite gradient, SKIPPED for an all-zero one.
     *
     * @param loss the step's (finite) loss, reported in the outcome
     * @param detailSuffix appended to the outcome's detail ("" for none)
     * @param grads the gradient lists, checked together through {@link Gradients#mass}
     */
    @SafeVarargs
    public static StepOutcome reject(float loss, String detailSuffix, List<NDArray>... grads) {
        double mass = 0;
        for (List<NDArray> g : grads) {
            // One native reduction per tensor and no parameter-sized temporary; read once per list.
            double m = Gradients.mass(g);
            mass = Math.max(mass, m); // NaN wins, as Math.max says
        }
        if (Double.isFinite(mass) && mass != 0) {
            return null;
        }
        for (List<NDArray> g : grads) {
            Gradients.zero(g);
        }
        return !Double.isFinite(mass)
                ? StepOutcome.diverged(loss, "non-finite gradient; parameters unchanged" + detailSuffix)
                : StepOutcome.skipped(loss, "zero gradient" + detailSuffix);
    }
}
