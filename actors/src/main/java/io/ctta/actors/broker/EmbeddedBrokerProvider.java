package io.ctta.actors.broker;

/**
 * Starts {@link EmbeddedBroker}s. The runtime library carries no broker (no ZooKeeper, no Scala, no
 * {@code kafka_2.13}); the module {@code ctta-cli} implements this interface with the in-process
 * KRaft broker of {@code ctta-embedded-kafka} and registers it in
 * {@code META-INF/services/io.ctta.actors.broker.EmbeddedBrokerProvider}, where
 * {@link EmbeddedBrokers} finds it with {@link java.util.ServiceLoader}.
 */
public interface EmbeddedBrokerProvider {

    /**
     * Starts a broker and returns once it accepts clients.
     *
     * @throws RuntimeException when it does not come up (the message says why)
     */
    EmbeddedBroker start(EmbeddedBrokerSpec spec);
}
