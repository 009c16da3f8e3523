package io.ctta.actors.broker;

import java.nio.file.Path;

/**
 * What an embedded broker is asked for.
 *
 * @param dataDir           its log directory, formatted on first use and reused afterwards; {@code null}
 *                          for a temporary one deleted on close
 * @param port              its client port on 127.0.0.1; 0 picks a free one
 * @param defaultPartitions partitions of topics created without a count, at least 1
 */
public record EmbeddedBrokerSpec(Path dataDir, int port, int defaultPartitions) {

    public EmbeddedBrokerSpec {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("embedded broker port must be 0..65535, was " + port);
        }
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("embedded broker partitions must be >= 1, was " + defaultPartitions);
        }
    }

    /** A temporary broker on a free port with one partition per topic: the demo's. */
    public static EmbeddedBrokerSpec temporary() {
        return new EmbeddedBrokerSpec(null, 0, 1);
    }
}
