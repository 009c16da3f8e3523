package io.ctta.actors.pipeline;

import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One record a pipeline produces, what it is (so it is counted once Kafka acknowledged it), and for
 * a prediction or a dead letter the smallest dead letter of its input, to send instead when Kafka
 * refuses the record itself (too large for a topic, invalid): a record whose output cannot be
 * produced must not stop the stream.
 *
 * @param fallback builds that dead letter from the reason; null for events
 */
record Output(ProducerRecord<byte[], byte[]> record, Kind kind, Function<String, ProducerRecord<byte[], byte[]>> fallback) {

    /** What the record is. */
    enum Kind {
        PREDICTION,
        DEAD_LETTER,
        EVENT
    }

    static Output event(ProducerRecord<byte[], byte[]> record) {
        return new Output(record, Kind.EVENT, null);
    }
}
