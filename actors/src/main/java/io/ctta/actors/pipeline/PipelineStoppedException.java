package io.ctta.actors.pipeline;

/**
 * A pipeline stopped for good while a command waited on it (see {@link PipelineFailures}); the
 * message says which and why. Commands print it without a stack trace.
 */
public final class PipelineStoppedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public PipelineStoppedException(PipelineFailures.Failure failure) {
        super(failure.toString());
    }
}
