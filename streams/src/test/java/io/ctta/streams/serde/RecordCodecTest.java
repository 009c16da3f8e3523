package io.ctta.streams.serde;

import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordCodecTest {

    private final RecordCodec codec = new RecordCodec(RecordLimits.defaults());

    private static InferenceRecord floatRecord() {
        float[] v = new float[2 * 3 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.25f - 3f;
        }
        return new InferenceRecord("id-1", "camera-7", 1_700_000_000_123L, "fog", 3,
                Tensor.float32(new int[] {2, 3, 4}, v));
    }

    private static InferenceRecord uint8Record() {
        float[] v = new float[28 * 28];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 256;
        }
        return new InferenceRecord("img-42", "", 5L, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, v));
    }

    private InferenceRecord decoded(byte[] value, RecordHeaders headers) {
        DecodeResult r = codec.decode(null, value, headers);
        return assertInstanceOf(DecodeResult.Decoded.class, r, () -> r.toString()).record();
    }

    private String rejected(RecordCodec c, byte[] value, RecordHeaders headers) {
        DecodeResult r = c.decode(null, value, headers);
        return assertInstanceOf(DecodeResult.Rejected.class, r, () -> r.toString()).reason();
    }

    private String rejected(byte[] value) {
        return rejected(codec, value, RecordCodec.headersFor());
    }

    @Test
    void float32RoundTrip() {
        InferenceRecord r = floatRecord();
        byte[] bytes = codec.encode(r);
        assertEquals(14 + 2 + 4 + 2 + 8 + 2 + 3 + 4 + 3 * 4 + 24 * 4, bytes.length);
        assertEquals(r, decoded(bytes, RecordCodec.headersFor()));
        assertEquals(r, decoded(bytes, null)); // no headers: sniffed as binary
    }

    @Test
    void uint8RoundTripIsOneBytePerElement() {
        InferenceRecord r = uint8Record();
        byte[] bytes = codec.encode(r);
        assertEquals(14 + 2 + 6 + 2 + 0 + 3 * 4 + 784, bytes.length);
        InferenceRecord back = decoded(bytes, RecordCodec.headersFor());
        assertEquals(r, back);
        assertEquals(DType.UINT8, back.features().dtype());
        assertEquals(255f, back.features().values()[255]);
    }

    @Test
    void layoutIsLittleEndianAsDocumented() {
        byte[] b = codec.encode(new InferenceRecord("a", "k", 258L, null, null,
                Tensor.float32(new int[] {1}, new float[] {1.0f})));
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('C', buf.get(0));
        assertEquals('T', buf.get(1));
        assertEquals(1, buf.get(2));
        assertEquals(0, buf.get(3));
        assertEquals(1, buf.get(4));
        assertEquals(1, buf.get(5));
        assertEquals(258L, buf.getLong(6));
        assertEquals(1, buf.getShort(14));
        assertEquals(1, buf.getInt(b.length - 8));
        assertEquals(1.0f, buf.getFloat(b.length - 4));
    }

    @Test
    void jsonRoundTripAndHandWrittenJson() {
        InferenceRecord r = floatRecord();
        assertEquals(r, decoded(codec.encodeJson(r), RecordCodec.jsonHeaders()));
        InferenceRecord u = uint8Record();
        assertEquals(u, decoded(codec.encodeJson(u), RecordCodec.jsonHeaders()));

        byte[] tabular = "{\"id\":\"t1\",\"features\":[0.5,1,2.25],\"label\":1,\"domain\":\"siteA\",\"eventTime\":99}"
                .getBytes(StandardCharsets.UTF_8);
        DecodeResult res = codec.decode("user-9".getBytes(StandardCharsets.UTF_8), tabular, null);
        InferenceRecord t = assertInstanceOf(DecodeResult.Decoded.class, res).record();
        assertEquals("user-9", t.key()); // Kafka key when the JSON has none
        assertEquals(99L, t.eventTimeMs());
        assertEquals(1, t.label());
        assertEquals("siteA", t.domain());
        assertTrue(Arrays.equals(new int[] {3}, t.features().shape()));
        assertTrue(Arrays.equals(new float[] {0.5f, 1f, 2.25f}, t.features().values()));
    }

    @Test
    void oversizeIsRejectedBeforeDecoding() {
        RecordCodec small = new RecordCodec(new RecordLimits(64, 4, 1000, null));
        byte[] big = codec.encode(floatRecord());
        assertTrue(rejected(small, big, RecordCodec.headersFor()).startsWith("oversize"));
    }

    @Test
    void claimOfTwoToTheThirtyOneElementsIsRejectedWithoutAllocating() {
        // A 40-byte value whose dims claim 2^31 float32 elements (8 GiB): must not be allocated.
        RecordCodec generous = new RecordCodec(new RecordLimits(1 << 20, 8, Integer.MAX_VALUE, null));
        byte[] v = header(1, 0, DType.FLOAT32.code(), 2).putShort((short) 1).put((byte) 'a').putShort((short) 0)
                .putInt(65536).putInt(32768).flip().array();
        byte[] value = Arrays.copyOf(v, 14 + 3 + 2 + 8);
        String reason = rejected(generous, value, RecordCodec.headersFor());
        assertTrue(reason.startsWith("too many elements") || reason.startsWith("truncated"), reason);
        assertTrue(rejected(value).startsWith("too many elements"));
    }

    @Test
    void badVersionDtypeRankAndDims() {
        byte[] good = codec.encode(floatRecord());
        byte[] v = good.clone();
        v[2] = 2;
        assertTrue(rejected(v).startsWith("unsupported schema version 2"));

        RecordHeaders h = new RecordHeaders();
        h.add(RecordCodec.SCHEMA_HEADER, "7".getBytes(StandardCharsets.UTF_8));
        assertTrue(rejected(codec, good, h).startsWith("unsupported schema version header"));

        v = good.clone();
        v[4] = 9;
        assertTrue(rejected(v).startsWith("unknown dtype code 9"));

        v = good.clone();
        v[5] = 9; // defaults allow rank 8
        assertTrue(rejected(v).startsWith("rank 9"));
        v[5] = 0;
        assertTrue(rejected(v).startsWith("rank 0"));

        v = good.clone();
        v[0] = 'X';
        assertTrue(rejected(v).startsWith("bad magic"));

        v = good.clone();
        v[3] = (byte) 0x80;
        assertTrue(rejected(v).startsWith("unknown flags"));

        int dimsAt = good.length - 24 * 4 - 3 * 4;
        v = good.clone();
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(dimsAt, -2);
        assertTrue(rejected(v).startsWith("non-positive dimension -2"));
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(dimsAt, 0);
        assertTrue(rejected(v).startsWith("non-positive dimension 0"));
    }

    @Test
    void truncatedAndTrailingBytes() {
        byte[] good = codec.encode(floatRecord());
        assertTrue(rejected(Arrays.copyOf(good, good.length - 1)).startsWith("truncated"));
        assertTrue(rejected(Arrays.copyOf(good, 10)).startsWith("truncated"));
        assertTrue(rejected(Arrays.copyOf(good, 17)).startsWith("truncated"));
        assertTrue(rejected(new byte[0]).startsWith("truncated"));
        assertTrue(rejected(Arrays.copyOf(good, good.length + 3)).startsWith("trailing bytes: 3"));
    }

    @Test
    void nonFiniteValuesAreRejected() {
        byte[] v = codec.encode(floatRecord());
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putFloat(v.length - 8, Float.NaN);
        assertTrue(rejected(v).startsWith("non-finite value NaN at index 22"));
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putFloat(v.length - 8, Float.NEGATIVE_INFINITY);
        assertTrue(rejected(v).startsWith("non-finite"));
        // and refused at the producer
        float[] nan = {Float.NaN};
        assertThrows(IllegalArgumentException.class, () -> codec.encode(
                new InferenceRecord("a", "k", 0, null, null, Tensor.float32(new int[] {1}, nan))));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1,\"features\":[1e39]}"),
                RecordCodec.jsonHeaders()).startsWith("non-finite"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1,\"features\":[NaN]}"),
                RecordCodec.jsonHeaders()).startsWith("malformed JSON"));
    }

    @Test
    void wrongShapeIsRejected() {
        RecordCodec mnist = new RecordCodec(RecordLimits.defaults().withExpectedShape(new int[] {1, 28, 28}));
        assertInstanceOf(DecodeResult.Decoded.class, mnist.decode(null, codec.encode(uint8Record()), null));
        assertTrue(rejected(mnist, codec.encode(floatRecord()), RecordCodec.headersFor()).startsWith("wrong shape"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1,\"features\":[1,2,3],\"shape\":[2,2]}"),
                RecordCodec.jsonHeaders()).startsWith("wrong shape"));
    }

    @Test
    void otherRejections() {
        assertTrue(codec.decode(null, null, null) instanceof DecodeResult.Rejected);
        RecordHeaders h = new RecordHeaders();
        h.add(RecordCodec.CONTENT_TYPE_HEADER, "text/csv".getBytes(StandardCharsets.UTF_8));
        assertTrue(rejected(codec, codec.encode(floatRecord()), h).startsWith("unsupported content type"));
        RecordHeaders j = RecordCodec.jsonHeaders();
        assertTrue(rejected(codec, json("{\"id\":"), j).startsWith("malformed JSON"));
        assertTrue(rejected(codec, json("[1,2]"), j).startsWith("malformed JSON"));
        assertTrue(rejected(codec, json("{\"eventTime\":1,\"features\":[1]}"), j).startsWith("missing field: id"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"features\":[1]}"), j).startsWith("missing field: eventTime"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1}"), j).startsWith("missing field: features"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1,\"features\":[1],\"label\":-1}"), j)
                .startsWith("negative label"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1,\"features\":[1],\"shape\":[1,1,1,1,1,1,1,1,1]}"), j)
                .startsWith("rank 9"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1,\"features\":[1],\"shape\":[-1]}"), j)
                .startsWith("non-positive dimension"));
        assertTrue(rejected(codec, json("{\"id\":\"a\",\"eventTime\":1,\"features\":[300],\"dtype\":\"uint8\"}"), j)
                .startsWith("uint8 value"));
        // Invalid UTF-8 inside the binary id
        byte[] v = codec.encode(new InferenceRecord("ab", "k", 0, null, null, Tensor.float32(new int[] {1}, new float[] {1})));
        v[16] = (byte) 0xC3;
        v[17] = (byte) 0x28;
        assertTrue(rejected(v).startsWith("invalid UTF-8 in id"));
    }

    @Test
    void randomGarbageNeverThrows() {
        java.util.Random rnd = new java.util.Random(7);
        byte[] good = codec.encode(floatRecord());
        for (int i = 0; i < 20_000; i++) {
            byte[] v = good.clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                v[rnd.nextInt(v.length)] = (byte) rnd.nextInt();
            }
            v = Arrays.copyOf(v, Math.max(0, v.length - rnd.nextInt(3)));
            DecodeResult r = codec.decode(null, v, null);
            if (r instanceof DecodeResult.Rejected rej) {
                assertTrue(!rej.reason().startsWith("undecodable"), rej.reason());
            }
        }
    }

    private static ByteBuffer header(int version, int flags, byte dtype, int rank) {
        return ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'C').put((byte) 'T')
                .put((byte) version).put((byte) flags).put(dtype).put((byte) rank).putLong(0L);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
