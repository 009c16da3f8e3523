package io.ctta.actors.pipeline;

import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One record a pipeline produces, what it is (so it is counted once Kafka acknowledged it), and for
 * a prediction or a dead letter the smallest dead letter of its input, to send instead when Kafka
 * refuses the record itself (too large for a topic, invalid): a record whose output cannot be
 * produced must not stop the stream.
 *
 * @param record null for {@link Kind#NOTHING}
 * @param fallback builds that dead letter from the reason; null for events
 * @param source the input record it was made for; null for events
 */
record Output(ProducerRecord<byte[], byte[]> record, Kind kind, Function<String, ProducerRecord<byte[], byte[]>> fallback, RecordRef source) {

    /** What the record is. */
    enum Kind {
        PREDICTION,
        DEAD_LETTER,
        EVENT,
        /** Nothing: Kafka refused the input's output and its dead letter before; the stream goes on. */
        NOTHING
    }

    static Output event(ProducerRecord<byte[], byte[]> record) {
        return new Output(record, Kind.EVENT, null, null);
    }

    static Output nothing(RecordRef source) {
        return new Output(null, Kind.NOTHING, null, source);
    }
}
