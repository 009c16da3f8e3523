package io.ctta.actors.broker;

/**
 * A Kafka broker the process runs itself, for {@code ctta demo} and for {@code ctta run} without
 * {@code ctta.kafka.bootstrap-servers}. The runtime only needs where to connect and how to stop it;
 * everything else is a plain Kafka client talking to {@link #bootstrapServers()}.
 */
public interface EmbeddedBroker extends AutoCloseable {

    /** {@code host:port} of the client listener. */
    String bootstrapServers();

    /** Stops the broker (and deletes a temporary data directory). Idempotent. */
    @Override
    void close();
}
