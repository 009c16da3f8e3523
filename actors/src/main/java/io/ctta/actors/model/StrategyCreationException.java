package io.ctta.actors.model;

/**
 * The configured strategy could not be created for the model (a model it cannot adapt, a bad
 * setting, missing source data). Retrying cannot help, so the model actor stops instead of
 * restarting, and the pipeline stops for good with this message.
 */
public final class StrategyCreationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param strategy the strategy's name */
    public StrategyCreationException(String strategy, RuntimeException cause) {
        // A cause without a message (a NullPointerException) still names what was thrown.
        super("strategy " + strategy + " cannot be created: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
    }
}
