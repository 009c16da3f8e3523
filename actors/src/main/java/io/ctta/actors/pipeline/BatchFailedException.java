package io.ctta.actors.pipeline;

import java.util.List;

/**
 * The model actor could not serve a batch (it crashed and was restarted). Carries the records the
 * batch held so that the pipeline supervisor can find the one that keeps crashing the model.
 */
public final class BatchFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<RecordRef> records;

    public BatchFailedException(String message, List<RecordRef> records) {
        super(message);
        this.records = List.copyOf(records);
    }

    /** The records the failed batch sent to the model, in consumption order. */
    public List<RecordRef> records() {
        return records;
    }
}
