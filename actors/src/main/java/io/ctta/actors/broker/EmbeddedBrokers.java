package io.ctta.actors.broker;

import java.util.List;
import java.util.ServiceLoader;

/** Finds the one {@link EmbeddedBrokerProvider} on the classpath and starts brokers with it. */
public final class EmbeddedBrokers {

    static final String MISSING = "no embedded Kafka broker on the classpath: set ctta.kafka.bootstrap-servers "
            + "(or --bootstrap) to a Kafka cluster, or put ctta-embedded-kafka and ctta-cli on the classpath "
            + "(the ./ctta launcher has them)";

    private EmbeddedBrokers() {}

    /**
     * Starts a broker with the provider found on the class path of this class's loader.
     *
     * @throws IllegalStateException when there is no provider, or more than one
     */
    public static EmbeddedBroker start(EmbeddedBrokerSpec spec) {
        return provider().start(spec);
    }

    /**
     * The single provider on the class path of this class's loader.
     *
     * @throws IllegalStateException when there is none, or more than one
     */
    public static EmbeddedBrokerProvider provider() {
        return provider(EmbeddedBrokers.class.getClassLoader());
    }

    /** The single provider visible to {@code loader}. */
    static EmbeddedBrokerProvider provider(ClassLoader loader) {
        List<EmbeddedBrokerProvider> found = ServiceLoader.load(EmbeddedBrokerProvider.class, loader).stream()
                .map(ServiceLoader.Provider::get).toList();
        if (found.isEmpty()) {
            throw new IllegalStateException(MISSING);
        }
        if (found.size() > 1) {
            // Two brokers would be a packaging mistake; picking one silently would hide it.
            throw new IllegalStateException("more than one embedded Kafka broker on the classpath: "
                    + found.stream().map(p -> p.getClass().getName()).toList() + "; keep one");
        }
        return found.get(0);
    }
}
