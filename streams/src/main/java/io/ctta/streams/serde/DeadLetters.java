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
 *
 * <p>A dead letter must itself be producible, or the record it stands for wedges the stream: given
 * a size budget (the producer's {@code max.request.size}, the topic's {@code max.message.bytes}),
 * a dead letter that would not fit keeps a prefix of the value and says so in
 * {@link #VALUE_TRUNCATED}; if even the key and original headers do not fit, those are left out
 * too ({@link #KEY_OMITTED}, {@link #HEADERS_OMITTED}). The {@code ctta.dlq.*} headers always stay.
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
    /** Present when the value was cut to fit: the original value's length in bytes (decimal text). */
    public static final String VALUE_TRUNCATED = "ctta.dlq.value-truncated";
    /** Present when the original key was left out to fit: its length in bytes (decimal text). */
    public static final String KEY_OMITTED = "ctta.dlq.key-omitted";
    /** Present when the original headers were left out to fit: how many there were (decimal text). */
    public static final String HEADERS_OMITTED = "ctta.dlq.headers-omitted";
    /** Room left for the record's length varints, which grow with the value (at most 5 bytes each). */
    private static final int VARINT_SLACK = 16;
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

    /**
     * A dead letter that fits in {@code maxBytes} as {@link RecordSize} counts it: the full one when
     * it fits, else the same with a prefix of the value (marked with {@link #VALUE_TRUNCATED}), and
     * if the key and original headers alone are too large, without them (marked too).
     *
     * @throws IllegalArgumentException when not even the {@code ctta.dlq.*} headers fit
     */
    public static ProducerRecord<byte[], byte[]> deadLetter(String dlqTopic, String sourceTopic, int partition,
                                                            long offset, byte[] key, byte[] value,
                                                            Headers original, String reason, long nowMs, int maxBytes) {
        ProducerRecord<byte[], byte[]> full = deadLetter(dlqTopic, sourceTopic, partition, offset, key, value, original, reason, nowMs);
        if (RecordSize.fits(full, maxBytes)) {
            return full;
        }
        int valueLength = value == null ? 0 : value.length;
        ProducerRecord<byte[], byte[]> cut = truncated(full, key, value, valueLength, maxBytes);
        if (cut != null) {
            return cut;
        }
        // The key and the original headers alone are too large: keep only what ctta adds.
        ProducerRecord<byte[], byte[]> bare = deadLetter(dlqTopic, sourceTopic, partition, offset, null, value, null, reason, nowMs);
        if (key != null) {
            bare.headers().add(KEY_OMITTED, utf8(Integer.toString(key.length)));
        }
        int originalHeaders = original == null ? 0 : original.toArray().length;
        if (originalHeaders > 0) {
            bare.headers().add(HEADERS_OMITTED, utf8(Integer.toString(originalHeaders)));
        }
        if (RecordSize.fits(bare, maxBytes)) {
            return bare;
        }
        cut = truncated(bare, null, value, valueLength, maxBytes);
        if (cut == null) {
            throw new IllegalArgumentException("a dead letter with only its ctta.dlq.* headers is larger than " + maxBytes + " bytes");
        }
        return cut;
    }

    /**
     * The smallest dead letter of a record: its key and the {@code ctta.dlq.*} headers, the value and
     * original headers left out and marked ({@link #VALUE_TRUNCATED}, {@link #HEADERS_OMITTED}).
     * What is sent when Kafka refused the record's output or its full dead letter. The key stays: it
     * places the dead letter like the original, and a compacted dead-letter topic needs it.
     */
    public static ProducerRecord<byte[], byte[]> withoutValue(String dlqTopic, String sourceTopic, int partition, long offset,
                                                              byte[] key, byte[] value, Headers original, String reason, long nowMs) {
        ProducerRecord<byte[], byte[]> bare = deadLetter(dlqTopic, sourceTopic, partition, offset, key, new byte[0], null, reason, nowMs);
        bare.headers().add(VALUE_TRUNCATED, utf8(Integer.toString(value == null ? 0 : value.length)));
        int originalHeaders = original == null ? 0 : original.toArray().length;
        if (originalHeaders > 0) {
            bare.headers().add(HEADERS_OMITTED, utf8(Integer.toString(originalHeaders)));
        }
        return bare;
    }

    /** {@code dl} with the longest prefix of {@code value} that fits, marked; null when not even an empty value fits. */
    private static ProducerRecord<byte[], byte[]> truncated(ProducerRecord<byte[], byte[]> dl, byte[] key, byte[] value, int valueLength, int maxBytes) {
        RecordHeaders headers = new RecordHeaders(dl.headers().toArray());
        headers.add(VALUE_TRUNCATED, utf8(Integer.toString(valueLength)));
        ProducerRecord<byte[], byte[]> empty = new ProducerRecord<>(dl.topic(), null, key, new byte[0], headers);
        int room = maxBytes - RecordSize.of(empty) - VARINT_SLACK;
        if (room < 0) {
            return null;
        }
        byte[] prefix = java.util.Arrays.copyOf(value == null ? new byte[0] : value, Math.min(valueLength, room));
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(dl.topic(), null, key, prefix, headers);
        if (!RecordSize.fits(out, maxBytes)) {
            // Kafka's estimate is an upper bound built from the same parts; this cannot happen unless it changes.
            throw new IllegalStateException("truncated dead letter of " + RecordSize.of(out) + " bytes exceeds " + maxBytes);
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
