package io.ctta.streams.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.RecordMetadata;
import io.ctta.streams.record.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The optional metadata map: both wire formats, backward compatibility and the limits. */
class RecordMetadataCodecTest {

    private final RecordCodec codec = new RecordCodec(RecordLimits.defaults());

    private static Tensor rgb() {
        float[] v = new float[3 * 2 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 20;
        }
        return new Tensor(DType.UINT8, new int[] {3, 2, 2}, v);
    }

    private static InferenceRecord withMetadata(Map<String, String> metadata) {
        return new InferenceRecord("iwildcam/a.jpg", "stream-0", 7L, "location-17", 24, rgb(), metadata);
    }

    private InferenceRecord decoded(byte[] value) {
        DecodeResult r = codec.decode(null, value, null);
        return assertInstanceOf(DecodeResult.Decoded.class, r, r::toString).record();
    }

    private String rejected(byte[] value) {
        DecodeResult r = codec.decode(null, value, null);
        return assertInstanceOf(DecodeResult.Rejected.class, r, r::toString).reason();
    }

    @Test
    void aRecordWithoutMetadataEncodesByteForByteAsTheVersion1LayoutDocumentsIt() {
        InferenceRecord r = new InferenceRecord("a", "k", 258L, "d", 3,
                new Tensor(DType.UINT8, new int[] {1, 1, 2}, new float[] {7, 255}));
        // Hand-assembled from the table in docs/record-format.md, written before metadata existed.
        ByteBuffer expected = ByteBuffer.allocate(14 + 3 + 3 + 3 + 4 + 12 + 2).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 'C').put((byte) 'T').put((byte) 1).put((byte) 3).put((byte) 2).put((byte) 3).putLong(258L)
                .putShort((short) 1).put((byte) 'a').putShort((short) 1).put((byte) 'k')
                .putShort((short) 1).put((byte) 'd').putInt(3).putInt(1).putInt(1).putInt(2).put((byte) 7).put((byte) -1);
        assertArrayEquals(expected.array(), codec.encode(r));
        assertArrayEquals(codec.encode(r), codec.encode(new InferenceRecord("a", "k", 258L, "d", 3, r.features(), Map.of())));
    }

    @Test
    void binaryRoundTripSetsFlagBit2AndAppendsTheSectionInKeyOrder() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("time", "2013-06-09T16:55:52");
        m.put("location", "17");
        m.put("source", "train/8b1e2c6c.jpg");
        InferenceRecord r = withMetadata(m);
        byte[] bytes = codec.encode(r);
        assertEquals(4 | 2 | 1, bytes[3]);
        InferenceRecord back = decoded(bytes);
        assertEquals(r, back);
        assertEquals(List.of("location", "source", "time"), List.copyOf(back.metadata().keySet()));
        // The section is last: u16 count = 3, then the first key "location".
        byte[] plain = codec.encode(new InferenceRecord(r.id(), r.key(), r.eventTimeMs(), r.domain(), r.label(), r.features()));
        ByteBuffer tail = ByteBuffer.wrap(bytes, plain.length, bytes.length - plain.length).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, tail.getShort());
        assertEquals(8, tail.getShort());
        assertEquals("location", new String(bytes, plain.length + 4, 8, StandardCharsets.US_ASCII));
        // Float tensors carry metadata too (the data is followed by the section, not the end).
        InferenceRecord f = new InferenceRecord("f", "k", 1, null, null,
                Tensor.float32(new int[] {2}, new float[] {0.5f, -1f}), Map.of("task.id", "3"));
        assertEquals(f, decoded(codec.encode(f)));
    }

    @Test
    void jsonRoundTripAndHandWrittenMetadata() {
        InferenceRecord r = withMetadata(Map.of("hospital", "2", "split", "test"));
        assertEquals(r, decoded(codec.encodeJson(r)));
        String json = new String(codec.encodeJson(r), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"metadata\":{\"hospital\":\"2\",\"split\":\"test\"}"), json);
        InferenceRecord hand = decoded(("{\"id\":\"t\",\"eventTime\":1,\"features\":[1],\"metadata\":{\"task.name\":"
                + "\"Caltech cars, motorbikes\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of("task.name", "Caltech cars, motorbikes"), hand.metadata());
        assertEquals(Map.of(), decoded("{\"id\":\"t\",\"eventTime\":1,\"features\":[1],\"metadata\":null}"
                .getBytes(StandardCharsets.UTF_8)).metadata());
        assertEquals("{\"id\":\"t\",\"key\":\"\",\"eventTime\":1,\"dtype\":\"float32\",\"shape\":[1],\"features\":[1.0]}",
                new String(codec.encodeJson(new InferenceRecord("t", "", 1, null, null,
                        Tensor.float32(new int[] {1}, new float[] {1}))), StandardCharsets.UTF_8),
                "no metadata, no field");
    }

    @Test
    void jsonRejectsMetadataThatBreaksTheRules() {
        assertTrue(rejected(json("{\"metadata\":[1]}")).startsWith("malformed JSON: metadata"));
        assertTrue(rejected(json("{\"metadata\":{\"a\":1}}")).startsWith("metadata value of 'a' is not a string"));
        assertTrue(rejected(json("{\"metadata\":{\"a b\":\"x\"}}")).startsWith("metadata key 'a b'"));
        assertTrue(rejected(json("{\"metadata\":{\"a\":\"" + "x".repeat(1025) + "\"}}")).startsWith("metadata value of 'a'"));
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i <= RecordMetadata.MAX_ENTRIES; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        assertTrue(rejected(json("{\"metadata\":" + many + "}}")).startsWith("metadata has 65 entries"));
    }

    @Test
    void binaryDecoderEnforcesTheLimitsBeforeReadingEntries() {
        byte[] good = codec.encode(withMetadata(Map.of("ab", "cd")));
        int section = good.length - (2 + 4 + 4);
        ByteBuffer b = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(section, (short) 65);
        assertTrue(rejected(b.array()).startsWith("metadata has 65 entries"));
        b = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(section, (short) 0);
        assertTrue(rejected(b.array()).startsWith("metadata: flag bit 2 is set but the section holds 0 entries"));
        b = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(section + 2, (short) 129);
        assertTrue(rejected(b.array()).startsWith("metadata key is 129 bytes; at most 128"));
        b = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(section + 4, (byte) ' ');
        assertTrue(rejected(b.array()).startsWith("metadata key ' b'"));

        byte[] twice = codec.encode(withMetadata(Map.of("ab", "cd", "ac", "ef")));
        twice[twice.length - 5] = (byte) 'b'; // ..."ac", u16 2, "ef": the second key "ac" becomes "ab"
        assertTrue(rejected(twice).startsWith("metadata key 'ab' appears twice"), rejected(twice));

        assertTrue(rejected(Arrays.copyOf(good, good.length - 1)).startsWith("truncated"));
        assertTrue(rejected(Arrays.copyOf(good, good.length + 1)).startsWith("trailing bytes: 1 after the metadata"));
        byte[] noSection = codec.encode(new InferenceRecord("iwildcam/a.jpg", "stream-0", 7L, "location-17", 24, rgb()));
        noSection[3] |= 4;
        assertTrue(rejected(noSection).startsWith("truncated: flag bit 2 announces metadata"));
    }

    @Test
    void aDecoderThatPredatesMetadataRejectsItAsUnknownFlags() {
        // The version 1 decoder accepted only flag bits 0 and 1; with bit 2 its first failed check is the
        // flags byte, so an old consumer dead-letters such a record with a clear reason instead of misreading it.
        byte[] withMetadata = codec.encode(withMetadata(Map.of("k", "v")));
        assertEquals(0, withMetadata[3] & ~(1 | 2 | 4));
        assertTrue((withMetadata[3] & ~(1 | 2)) != 0);
    }

    @Test
    void theRecordRefusesMetadataTheFormatsWouldReject() {
        assertThrows(IllegalArgumentException.class, () -> withMetadata(Map.of("", "v")));
        assertThrows(IllegalArgumentException.class, () -> withMetadata(Map.of("with space", "v")));
        assertThrows(IllegalArgumentException.class, () -> withMetadata(Map.of("k", "é".repeat(513))));
        Map<String, String> many = new TreeMap<>();
        for (int i = 0; i <= RecordMetadata.MAX_ENTRIES; i++) {
            many.put("k" + i, "v");
        }
        String msg = assertThrows(IllegalArgumentException.class, () -> withMetadata(many)).getMessage();
        assertTrue(msg.contains("at most 64"), msg);
        Map<String, String> nullValue = new TreeMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> withMetadata(nullValue));
        assertThrows(UnsupportedOperationException.class, () -> withMetadata(Map.of("k", "v")).metadata().put("x", "y"));
        assertEquals(Map.of(), new InferenceRecord("a", "k", 0, null, null, rgb()).metadata());
    }

    private static byte[] json(String extra) {
        String body = "{\"id\":\"t\",\"eventTime\":1,\"features\":[1]," + extra.substring(1);
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
