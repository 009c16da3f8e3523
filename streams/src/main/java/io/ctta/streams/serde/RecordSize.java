package io.ctta.streams.serde;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * The size a Kafka producer assigns a record before sending it: the upper bound it checks against
 * {@code max.request.size} (and the broker against {@code max.message.bytes}). Computed with
 * Kafka's own estimate, so a record this class accepts is never refused by the producer as too
 * large.
 */
public final class RecordSize {

    private RecordSize() {}

    /** Bytes of {@code r} in a record batch of its own, uncompressed (ctta's producers do not compress). */
    public static int of(ProducerRecord<byte[], byte[]> r) {
        Header[] headers = r.headers() == null ? new Header[0] : r.headers().toArray();
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, r.key(), r.value(), headers);
    }

    /** Whether {@code r} fits in {@code maxBytes}. */
    public static boolean fits(ProducerRecord<byte[], byte[]> r, int maxBytes) {
        return of(r) <= maxBytes;
    }
}
