package io.ctta.streams.serde;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Builds records for {@code <pipeline>.dead-letters}: the original key and value bytes untouched, the
 * original headers copied, plus {@code ctta.dlq.*} headers saying why and where from, so an operator
 * can fix and re-publish the record byte for byte.
 */
public final class DeadLetters {

    /** Why the record was refused (UTF-8). */
    public static final String REASON = "ctta.dlq.reason";
    /** Topic the record was read from. */
    public static final String SOURCE_TOPIC = "ctta.dlq.source.topic";
    /** Partition it was read from (decimal text). */
    public static final String SOURCE_PARTITION = "ctta.dlq.source.partition";
    /** Offset it was read from (decimal text). */
    public static final String SOURCE_OFFSET = "ctta.dlq.source.offset";
    /** When it was dead-lettered, epoch ms (decimal text). */
    public static final String TIME = "ctta.dlq.time";
    /** Reasons are cut to this many characters so one odd record cannot bloat the DLQ. */
    public static final int MAX_REASON_CHARS = 1000;

    private DeadLetters() {
    }

    /** As {@link #deadLetter(String, String, int, long, byte[], byte[], Headers, String, long)} at the current time. */
    public static ProducerRecord<byte[], byte[]> deadLetter(String dlqTopic, String sourceTopic, int partition,
                                                            long offset, byte[] key, byte[] value,
                                                            Headers original, String reason) {
        return deadLetter(dlqTopic, sourceTopic, partition, offset, key, value, original, reason,
                System.currentTimeMillis());
    }

    /**
     * A dead-letter record keyed like the original (so it lands with its stream's other failures).
     *
     * @param original headers of the source record, may be {@code null}; copied, not modified
     * @param nowMs    value of the {@code ctta.dlq.time} header
     */
    public static ProducerRecord<byte[], byte[]> deadLetter(String dlqTopic, String sourceTopic, int partition,
                                                            long offset, byte[] key, byte[] value,
                                                            Headers original, String reason, long nowMs) {
        RecordHeaders headers = new RecordHeaders();
        if (original != null) {
            for (Header h : original) {
                headers.add(h.key(), h.value());
            }
        }
        String why = reason == null ? "unknown" : reason;
        if (why.length() > MAX_REASON_CHARS) {
            why = why.substring(0, MAX_REASON_CHARS);
        }
        headers.add(REASON, utf8(why));
        headers.add(SOURCE_TOPIC, utf8(sourceTopic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(offset)));
        headers.add(TIME, utf8(Long.toString(nowMs)));
        return new ProducerRecord<>(dlqTopic, null, key, value, headers);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
