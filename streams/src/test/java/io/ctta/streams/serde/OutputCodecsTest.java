package io.ctta.streams.serde;

import io.ctta.streams.record.LabelFeedback;
import io.ctta.streams.record.PredictionRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputCodecsTest {

    @Test
    void predictionJsonRoundTrip() {
        PredictionCodec codec = new PredictionCodec();
        PredictionRecord p = new PredictionRecord("mnist", "tent", "id-1", "cam", 2, 41L, 1000L, null, 7, 7,
                new float[] {0.1f, 0.9f}, 12L, 2000L);
        byte[] json = codec.encode(p);
        String s = new String(json, StandardCharsets.UTF_8);
        assertTrue(s.contains("\"predictedClass\":7") && s.contains("\"scores\":[0.1,0.9]"), s);
        assertEquals(p, codec.decode(json));
        // Unknown fields are ignored (additive schema changes stay compatible).
        String withExtra = s.substring(0, s.length() - 1) + ",\"future\":true}";
        assertEquals(p, codec.decode(withExtra.getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> codec.decode("{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void feedbackJsonRoundTrip() {
        FeedbackCodec codec = new FeedbackCodec();
        LabelFeedback f = new LabelFeedback("id-1", 4, 123L);
        assertEquals("{\"id\":\"id-1\",\"label\":4,\"eventTimeMs\":123}",
                new String(codec.encode(f), StandardCharsets.UTF_8));
        assertEquals(f, codec.decode(codec.encode(f)));
        assertThrows(IllegalArgumentException.class,
                () -> codec.decode("{\"id\":\"a\",\"eventTimeMs\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class,
                () -> codec.decode("{\"id\":\"a\",\"label\":-2,\"eventTimeMs\":1}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void deadLetterKeepsOriginalBytesAndHeaders() {
        byte[] key = {1, 2, 3};
        byte[] value = {(byte) 0xFF, 0, 'x'};
        RecordHeaders original = new RecordHeaders();
        original.add("content-type", "application/x-ctta-record".getBytes(StandardCharsets.UTF_8));
        original.add("trace", new byte[] {9});
        ProducerRecord<byte[], byte[]> dl = DeadLetters.deadLetter("p.dead-letters", "p.input", 3, 77L, key, value,
                original, "truncated: 3 bytes", 5000L);
        assertEquals("p.dead-letters", dl.topic());
        assertNull(dl.partition());
        assertSame(key, dl.key());
        assertSame(value, dl.value());
        assertArrayEquals(new byte[] {(byte) 0xFF, 0, 'x'}, dl.value());
        List<String> names = new ArrayList<>();
        for (Header h : dl.headers()) {
            names.add(h.key());
        }
        assertEquals(List.of("content-type", "trace", DeadLetters.REASON, DeadLetters.SOURCE_TOPIC,
                DeadLetters.SOURCE_PARTITION, DeadLetters.SOURCE_OFFSET, DeadLetters.TIME), names);
        assertArrayEquals(new byte[] {9}, dl.headers().lastHeader("trace").value());
        assertEquals("truncated: 3 bytes", text(dl, DeadLetters.REASON));
        assertEquals("p.input", text(dl, DeadLetters.SOURCE_TOPIC));
        assertEquals("3", text(dl, DeadLetters.SOURCE_PARTITION));
        assertEquals("77", text(dl, DeadLetters.SOURCE_OFFSET));
        assertEquals("5000", text(dl, DeadLetters.TIME));
        // the original headers object is not modified
        assertEquals(2, original.toArray().length);
        // null headers and the clock overload
        ProducerRecord<byte[], byte[]> bare = DeadLetters.deadLetter("d", "s", 0, 0, null, null, null, "r");
        assertTrue(Long.parseLong(text(bare, DeadLetters.TIME)) > 0);
    }

    private static String text(ProducerRecord<byte[], byte[]> r, String header) {
        return new String(r.headers().lastHeader(header).value(), StandardCharsets.UTF_8);
    }
}
