package io.ctta.runtime.data;

import java.util.Objects;

/**
 * What predicting and then learning one labelled batch did, the two results kept apart: the
 * prediction made before the update, carrying {@code predict}'s own outcome (a test-time
 * strategy's adaptation step, or none), and what {@code learn} did with the labels. The model
 * actor's guards judge the first and its learn metrics count the second, as they did when the two
 * were separate calls.
 */
public record PrequentialStep(ModelOutput prediction, StepOutcome learned) {

    public PrequentialStep {
        Objects.requireNonNull(prediction, "prediction");
        Objects.requireNonNull(learned, "learned");
    }
}
