package io.ctta.streams.serde;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ctta.streams.record.InferenceRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes and decodes {@link InferenceRecord} values (schema version 1, binary or JSON; see
 * docs/record-format.md).
 *
 * <p>{@link #decode} never throws on bad input: every problem becomes {@link DecodeResult.Rejected}
 * with a reason, and the size limit is checked before anything is allocated from the input. Encoding
 * throws {@link IllegalArgumentException} for records the format cannot carry (non-finite values,
 * strings over 65535 UTF-8 bytes), so bad data fails at the producer.
 *
 * <p>Immutable and thread-safe.
 */
public final class RecordCodec {

    /** Header naming the schema version of the value. */
    public static final String SCHEMA_HEADER = "ctta.schema";
    /** Header naming the content type of the value. */
    public static final String CONTENT_TYPE_HEADER = "content-type";
    /** The schema version this codec writes and reads. */
    public static final String SCHEMA_VERSION = "1";
    /** Content type of the binary format. */
    public static final String BINARY_CONTENT_TYPE = "application/x-ctta-record";
    /** Content type of the JSON alternative. */
    public static final String JSON_CONTENT_TYPE = "application/json";

    private final RecordLimits limits;
    private final JsonRecordFormat json;

    /** A codec that accepts what {@code limits} allows. */
    public RecordCodec(RecordLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        // Belt and braces: maxBytes already bounds the document, these bound Jackson's own buffers.
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(8).maxNumberLength(64).maxStringLength(1 << 16).build())
                .build();
        this.json = new JsonRecordFormat(new ObjectMapper(factory));
    }

    /** The limits this codec enforces. */
    public RecordLimits limits() {
        return limits;
    }

    /**
     * Encodes {@code record} in the binary format; send it with {@link #headersFor()}. A record with
     * metadata gets the optional metadata section (flag bit 2); one without encodes exactly as before
     * that section existed.
     */
    public byte[] encode(InferenceRecord record) {
        return BinaryRecordFormat.encode(Objects.requireNonNull(record, "record"));
    }

    /** Encodes {@code record} as JSON; send it with {@link #jsonHeaders()}. */
    public byte[] encodeJson(InferenceRecord record) {
        return json.encode(Objects.requireNonNull(record, "record"));
    }

    /** Fresh headers for a binary value: {@code ctta.schema=1}, {@code content-type=application/x-ctta-record}. */
    public static RecordHeaders headersFor() {
        return headers(BINARY_CONTENT_TYPE);
    }

    /** Fresh headers for a JSON value: {@code ctta.schema=1}, {@code content-type=application/json}. */
    public static RecordHeaders jsonHeaders() {
        return headers(JSON_CONTENT_TYPE);
    }

    private static RecordHeaders headers(String contentType) {
        RecordHeaders h = new RecordHeaders();
        h.add(SCHEMA_HEADER, SCHEMA_VERSION.getBytes(StandardCharsets.UTF_8));
        h.add(CONTENT_TYPE_HEADER, contentType.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    /**
     * Decodes one Kafka record value.
     *
     * <p>The content type comes from the {@code content-type} header; without it, a value starting with
     * '{' is read as JSON and anything else as binary. In the binary format the key inside the value is
     * authoritative; JSON values without a {@code key} field take the Kafka key (UTF-8).
     *
     * @param key     Kafka key bytes, may be {@code null}
     * @param value   Kafka value bytes, may be {@code null} (a tombstone, rejected)
     * @param headers Kafka headers, may be {@code null}
     * @return {@link DecodeResult.Decoded} or {@link DecodeResult.Rejected}; never throws for bad input
     */
    public DecodeResult decode(byte[] key, byte[] value, Headers headers) {
        if (value == null) {
            return new DecodeResult.Rejected("null value: tombstones carry no record");
        }
        // First check, before anything sized from the input is allocated.
        if (value.length > limits.maxBytes()) {
            return new DecodeResult.Rejected("oversize: " + value.length + " bytes exceeds maxBytes "
                    + limits.maxBytes());
        }
        try {
            String schema = lastHeader(headers, SCHEMA_HEADER);
            if (schema != null && !schema.equals(SCHEMA_VERSION)) {
                return new DecodeResult.Rejected("unsupported schema version header '" + abbreviate(schema)
                        + "'; this decoder reads version " + SCHEMA_VERSION);
            }
            String contentType = lastHeader(headers, CONTENT_TYPE_HEADER);
            boolean isJson;
            if (contentType == null) {
                isJson = value.length > 0 && value[0] == '{';
            } else if (contentType.equals(BINARY_CONTENT_TYPE)) {
                isJson = false;
            } else if (contentType.equals(JSON_CONTENT_TYPE) || contentType.startsWith(JSON_CONTENT_TYPE + ";")) {
                isJson = true;
            } else {
                return new DecodeResult.Rejected("unsupported content type '" + abbreviate(contentType) + "'");
            }
            InferenceRecord r = isJson ? json.decode(key, value, limits) : BinaryRecordFormat.decode(value, limits);
            return new DecodeResult.Decoded(r);
        } catch (Reject e) {
            return new DecodeResult.Rejected(e.getMessage());
        } catch (RuntimeException e) {
            // A check we did not think of; still a rejection, never a failed stream.
            return new DecodeResult.Rejected("undecodable: " + e);
        }
    }

    private static String lastHeader(Headers headers, String name) {
        if (headers == null) {
            return null;
        }
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8).trim();
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
