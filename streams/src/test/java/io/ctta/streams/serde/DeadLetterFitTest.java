package io.ctta.streams.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Dead letters are cut to the size budget the producer and the topic allow, and say so. */
class DeadLetterFitTest {

    private static final int MiB = 1 << 20;

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String key) {
        var h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aSmallDeadLetterKeepsEverythingAndCarriesNoMarker() {
        byte[] value = bytes(3000);
        ProducerRecord<byte[], byte[]> d = DeadLetters.deadLetter("p.dead-letters", "in", 0, 7, "k".getBytes(StandardCharsets.UTF_8), value,
                null, "bad", 1L, MiB);
        assertArrayEquals(value, d.value());
        assertNull(header(d, DeadLetters.VALUE_TRUNCATED));
    }

    @Test
    void aOneMebibyteValueIsCutToFitAndMarkedWithItsOriginalLength() {
        byte[] value = bytes(MiB - 100);   // a record a broker with default limits accepts
        RecordHeaders original = new RecordHeaders();
        original.add("ctta.format", "ctta-tensor-v1".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> d = DeadLetters.deadLetter("p.dead-letters", "in", 3, 41, "key-1".getBytes(StandardCharsets.UTF_8), value,
                original, "record-too-large: 1048476 bytes > 1048576", 1L, MiB);
        assertTrue(RecordSize.of(d) <= MiB, "fits: " + RecordSize.of(d));
        assertTrue(RecordSize.of(d) > MiB - 64, "keeps as much as fits: " + RecordSize.of(d));
        assertEquals(String.valueOf(value.length), header(d, DeadLetters.VALUE_TRUNCATED));
        assertArrayEquals(Arrays.copyOf(value, d.value().length), d.value(), "a prefix of the original bytes");
        assertEquals("ctta-tensor-v1", header(d, "ctta.format"), "original headers kept");
        assertEquals("41", header(d, DeadLetters.SOURCE_OFFSET));
        assertTrue(header(d, DeadLetters.REASON).startsWith("record-too-large"));
        assertArrayEquals("key-1".getBytes(StandardCharsets.UTF_8), d.key());
    }

    @Test
    void aKeyAndHeadersTooLargeForTheBudgetAreLeftOutAndMarked() {
        int budget = 16 * 1024;
        RecordHeaders original = new RecordHeaders();
        original.add("big", bytes(20_000));
        original.add("small", bytes(3));
        ProducerRecord<byte[], byte[]> d = DeadLetters.deadLetter("p.dead-letters", "in", 0, 1, bytes(30_000), bytes(50_000), original,
                "x".repeat(5000), 1L, budget);
        assertTrue(RecordSize.of(d) <= budget);
        assertNull(d.key());
        assertEquals("30000", header(d, DeadLetters.KEY_OMITTED));
        assertEquals("2", header(d, DeadLetters.HEADERS_OMITTED));
        assertEquals("50000", header(d, DeadLetters.VALUE_TRUNCATED));
        assertNull(d.headers().lastHeader("big"));
        assertEquals(DeadLetters.MAX_REASON_CHARS, header(d, DeadLetters.REASON).length());
    }

    @Test
    void aDeadLetterThatFitsIsTheUntouchedOne() {
        ProducerRecord<byte[], byte[]> plain = DeadLetters.deadLetter("t", "in", 0, 1, null, bytes(10), null, "r", 5L);
        ProducerRecord<byte[], byte[]> fitted = DeadLetters.deadLetter("t", "in", 0, 1, null, plain.value(), null, "r", 5L, MiB);
        assertSame(plain.value(), fitted.value());
        assertEquals(RecordSize.of(plain), RecordSize.of(fitted));
    }
}
