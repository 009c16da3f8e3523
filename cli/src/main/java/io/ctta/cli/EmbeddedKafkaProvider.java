package io.ctta.cli;

import io.ctta.actors.broker.EmbeddedBroker;
import io.ctta.actors.broker.EmbeddedBrokerProvider;
import io.ctta.actors.broker.EmbeddedBrokerSpec;
import io.ctta.embedded.EmbeddedKafka;

/**
 * The runtime's embedded broker: the in-process KRaft broker of {@code ctta-embedded-kafka}, found by
 * the runtime through {@code META-INF/services}. It lives here, not in {@code ctta-embedded-kafka},
 * because that module depends on no other ctta module (every module's tests use it) and so cannot
 * implement the runtime's interface.
 */
public final class EmbeddedKafkaProvider implements EmbeddedBrokerProvider {

    @Override
    public EmbeddedBroker start(EmbeddedBrokerSpec spec) {
        EmbeddedKafka kafka = EmbeddedKafka.start(spec.dataDir(), spec.port(), spec.defaultPartitions());
        return new EmbeddedBroker() {
            @Override
            public String bootstrapServers() {
                return kafka.bootstrapServers();
            }

            @Override
            public void close() {
                kafka.close();
            }

            @Override
            public String toString() {
                return kafka.toString();
            }
        };
    }
}
