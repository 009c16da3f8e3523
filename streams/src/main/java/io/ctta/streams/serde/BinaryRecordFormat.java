package io.ctta.streams.serde;

import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.RecordMetadata;
import io.ctta.streams.record.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Schema version 1 of the binary record value; layout in docs/record-format.md.
 *
 * <p>Metadata travels in an optional section after the data, announced by flag bit 2. A record without
 * metadata therefore encodes exactly as before the section existed, and a decoder that predates it
 * rejects a record with metadata ("unknown flags") instead of misreading it.
 */
final class BinaryRecordFormat {

    static final byte MAGIC_0 = 'C';
    static final byte MAGIC_1 = 'T';
    static final byte VERSION = 1;
    static final int FLAG_DOMAIN = 1;
    static final int FLAG_LABEL = 2;
    static final int FLAG_METADATA = 4;
    /** magic(2) version(1) flags(1) dtype(1) rank(1) eventTime(8). */
    static final int FIXED_HEADER = 14;
    static final int MAX_STRING_BYTES = 0xFFFF;

    private BinaryRecordFormat() {
    }

    static byte[] encode(InferenceRecord r) {
        Tensor t = r.features();
        int[] shape = t.shape();
        if (shape.length > RecordLimits.FORMAT_MAX_RANK) {
            throw new IllegalArgumentException("rank " + shape.length + " exceeds the format's "
                    + RecordLimits.FORMAT_MAX_RANK);
        }
        float[] values = t.values();
        if (t.dtype() == DType.FLOAT32) {
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new IllegalArgumentException("record " + r.id() + " has non-finite value " + values[i]
                            + " at index " + i + "; consumers reject it, so it is refused here");
                }
            }
        }
        byte[] id = utf8(r.id(), "id");
        byte[] key = utf8(r.key(), "key");
        byte[] domain = r.domain() == null ? null : utf8(r.domain(), "domain");
        byte[][] metadata = metadataBytes(r.metadata());
        long metadataSize = 0;
        if (metadata != null) {
            metadataSize = 2;
            for (byte[] s : metadata) {
                metadataSize += 2L + s.length;
            }
        }
        long size = FIXED_HEADER + 2L + id.length + 2L + key.length
                + (domain == null ? 0 : 2L + domain.length) + (r.label() == null ? 0 : 4)
                + 4L * shape.length + (long) values.length * t.dtype().elementSize() + metadataSize;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("record " + r.id() + " would encode to " + size
                    + " bytes, more than a Java array holds");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        int flags = (domain == null ? 0 : FLAG_DOMAIN) | (r.label() == null ? 0 : FLAG_LABEL)
                | (metadata == null ? 0 : FLAG_METADATA);
        b.put(MAGIC_0).put(MAGIC_1).put(VERSION).put((byte) flags).put(t.dtype().code())
                .put((byte) shape.length).putLong(r.eventTimeMs());
        putString(b, id);
        putString(b, key);
        if (domain != null) {
            putString(b, domain);
        }
        if (r.label() != null) {
            b.putInt(r.label());
        }
        for (int d : shape) {
            b.putInt(d);
        }
        if (t.dtype() == DType.FLOAT32) {
            b.asFloatBuffer().put(values);
            b.position(b.position() + 4 * values.length);
        } else {
            for (float v : values) {
                b.put((byte) (int) v);
            }
        }
        if (metadata != null) {
            b.putShort((short) (metadata.length / 2));
            for (byte[] s : metadata) {
                putString(b, s);
            }
        }
        return b.array();
    }

    /** Keys and values alternating, in key order; {@code null} when there is no metadata. */
    private static byte[][] metadataBytes(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        byte[][] out = new byte[2 * metadata.size()][];
        int i = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            out[i++] = e.getKey().getBytes(StandardCharsets.UTF_8);
            out[i++] = e.getValue().getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /** Decodes {@code value}, whose length the caller has already checked against the limits. */
    static InferenceRecord decode(byte[] value, RecordLimits limits) {
        if (value.length < FIXED_HEADER) {
            throw new Reject("truncated: " + value.length + " bytes, shorter than the " + FIXED_HEADER
                    + "-byte fixed header");
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (b.get() != MAGIC_0 || b.get() != MAGIC_1) {
            throw new Reject("bad magic: value does not start with 'CT'; not a ctta binary record");
        }
        int version = Byte.toUnsignedInt(b.get());
        if (version != VERSION) {
            throw new Reject("unsupported schema version " + version + "; this decoder reads version " + VERSION);
        }
        int flags = Byte.toUnsignedInt(b.get());
        if ((flags & ~(FLAG_DOMAIN | FLAG_LABEL | FLAG_METADATA)) != 0) {
            throw new Reject("unknown flags 0x" + Integer.toHexString(flags) + " for schema version 1");
        }
        byte dtypeCode = b.get();
        DType dtype = DType.fromCode(dtypeCode);
        if (dtype == null) {
            throw new Reject("unknown dtype code " + Byte.toUnsignedInt(dtypeCode));
        }
        int rank = Byte.toUnsignedInt(b.get());
        if (rank == 0 || rank > limits.maxRank()) {
            throw new Reject("rank " + rank + " outside 1.." + limits.maxRank());
        }
        long eventTime = b.getLong();
        String id = getString(b, "id");
        if (id.isEmpty()) {
            throw new Reject("empty id");
        }
        String key = getString(b, "key");
        String domain = (flags & FLAG_DOMAIN) != 0 ? getString(b, "domain") : null;
        Integer label = null;
        if ((flags & FLAG_LABEL) != 0) {
            need(b, 4, "label");
            label = b.getInt();
            if (label < 0) {
                throw new Reject("negative label " + label);
            }
        }
        need(b, 4L * rank, "dims");
        int[] shape = new int[rank];
        long n = 1;
        for (int i = 0; i < rank; i++) {
            int d = b.getInt();
            if (d <= 0) {
                throw new Reject("non-positive dimension " + d + " at axis " + i);
            }
            shape[i] = d;
            // Each factor is < 2^31 and n stays <= maxElements < 2^31, so this never overflows a long;
            // multiplyExact keeps it obviously safe if the limits ever grow.
            n = Math.multiplyExact(n, d);
            if (n > limits.maxElements()) {
                throw new Reject("too many elements: shape so far " + Arrays.toString(Arrays.copyOf(shape, i + 1))
                        + " exceeds maxElements " + limits.maxElements());
            }
        }
        if (!limits.shapeAccepted(shape)) {
            throw new Reject("wrong shape " + Arrays.toString(shape) + ", expected "
                    + Arrays.toString(limits.expectedShape()));
        }
        long dataBytes = n * dtype.elementSize();
        if (b.remaining() < dataBytes) {
            throw new Reject("truncated: data needs " + dataBytes + " bytes, " + b.remaining() + " left");
        }
        boolean hasMetadata = (flags & FLAG_METADATA) != 0;
        if (!hasMetadata && b.remaining() > dataBytes) {
            throw new Reject("trailing bytes: " + (b.remaining() - dataBytes) + " after the data");
        }
        if (hasMetadata && b.remaining() == dataBytes) {
            throw new Reject("truncated: flag bit 2 announces metadata but the value ends after the data");
        }
        float[] values = new float[(int) n];
        if (dtype == DType.FLOAT32) {
            b.asFloatBuffer().get(values);
            b.position(b.position() + 4 * values.length); // the view does not move b; metadata may follow
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new Reject("non-finite value " + values[i] + " at index " + i);
                }
            }
        } else {
            byte[] raw = new byte[values.length];
            b.get(raw);
            for (int i = 0; i < values.length; i++) {
                values[i] = Byte.toUnsignedInt(raw[i]);
            }
        }
        Map<String, String> metadata = hasMetadata ? metadata(b) : Map.of();
        if (b.hasRemaining()) {
            throw new Reject("trailing bytes: " + b.remaining() + " after the metadata");
        }
        return new InferenceRecord(id, key, eventTime, domain, label, new Tensor(dtype, shape, values), metadata);
    }

    /** The metadata section: u16 count, then count (key, value) string pairs; limits checked before reading. */
    private static Map<String, String> metadata(ByteBuffer b) {
        need(b, 2, "metadata count");
        int count = Short.toUnsignedInt(b.getShort());
        if (count == 0) {
            throw new Reject("metadata: flag bit 2 is set but the section holds 0 entries");
        }
        String problem = RecordMetadata.countProblem(count);
        if (problem != null) {
            throw new Reject(problem);
        }
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String key = getString(b, "metadata key", RecordMetadata.MAX_KEY_BYTES);
            problem = RecordMetadata.keyProblem(key);
            if (problem != null) {
                throw new Reject(problem);
            }
            String value = getString(b, "metadata value of '" + key + "'", RecordMetadata.MAX_VALUE_BYTES);
            if (out.put(key, value) != null) {
                throw new Reject("metadata key '" + key + "' appears twice");
            }
        }
        return out;
    }

    private static void need(ByteBuffer b, long bytes, String field) {
        if (b.remaining() < bytes) {
            throw new Reject("truncated: " + field + " needs " + bytes + " bytes, " + b.remaining() + " left");
        }
    }

    private static String getString(ByteBuffer b, String field) {
        return getString(b, field, MAX_STRING_BYTES);
    }

    private static String getString(ByteBuffer b, String field, int maxBytes) {
        need(b, 2, field + " length");
        int len = Short.toUnsignedInt(b.getShort());
        if (len > maxBytes) {
            // Only the metadata limits are below the u16 maximum; their reasons start with "metadata".
            throw new Reject(field + " is " + len + " bytes; at most " + maxBytes + " are allowed");
        }
        need(b, len, field);
        ByteBuffer slice = b.slice().limit(len);
        b.position(b.position() + len);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new Reject("invalid UTF-8 in " + field);
        }
    }

    private static byte[] utf8(String s, String field) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(field + " is " + bytes.length + " UTF-8 bytes; the format allows "
                    + MAX_STRING_BYTES);
        }
        return bytes;
    }

    private static void putString(ByteBuffer b, byte[] bytes) {
        b.putShort((short) bytes.length).put(bytes);
    }
}
