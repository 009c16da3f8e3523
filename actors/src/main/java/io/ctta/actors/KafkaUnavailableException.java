package io.ctta.actors;

/**
 * Kafka could not be used at startup for a reason the operator fixes outside ctta (no broker
 * answers, the cluster refuses a request). The message says what to check; the command line
 * prints it without a stack trace.
 */
public final class KafkaUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
