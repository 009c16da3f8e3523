package io.ctta.streams.record;

import java.util.Objects;

/**
 * A label that arrives after the prediction, on {@code <pipeline>.feedback}, joined to the input by
 * {@code id}.
 *
 * @param id          id of the input record this label belongs to
 * @param label       class index, non-negative
 * @param eventTimeMs when the label became known, epoch ms
 */
public record LabelFeedback(String id, int label, long eventTimeMs) {

    public LabelFeedback {
        Objects.requireNonNull(id, "id");
        if (label < 0) {
            throw new IllegalArgumentException("label " + label + " is negative; labels are class indices");
        }
    }
}
