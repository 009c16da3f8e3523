package io.ctta.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.adapt.StrategyState;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFormatTest {
    @TempDir
    Path dir;

    @Test
    void roundTripIsBitIdenticalAndDeterministic() throws Exception {
        Checkpoint c = Fixtures.checkpoint(3, 17);
        byte[] bytes = CheckpointFormat.encode(c);
        assertArrayEquals(bytes, CheckpointFormat.encode(Fixtures.checkpoint(3, 17)), "same checkpoint, same bytes");
        Checkpoint back = CheckpointFormat.decode(bytes);
        assertEquals(c, back);
        float[] special = back.state().tensors().get("param/bn.gamma").data();
        for (int i = 0; i < special.length; i++) {
            assertEquals(Float.floatToRawIntBits(Fixtures.SPECIAL[i]), Float.floatToRawIntBits(special[i]), "index " + i);
        }
        assertArrayEquals(new long[0], back.state().tensors().get("opt/m/scalar").shape());
        assertArrayEquals(new long[] {0, 5}, back.state().tensors().get("opt/empty").shape());
        assertEquals(0x7ff8000000000abcL, Double.doubleToRawLongBits(back.state().scalars().get("weird")));
        assertEquals(1700L, back.nextOffset("fmnist.input", 0));
        assertEquals(0L, back.nextOffset("fmnist.input", 1));
        assertNull(back.nextOffset("fmnist.input", 3));
        assertArrayEquals(new byte[] {1, 2, 3, 17}, back.extra("rng"));
        assertArrayEquals(new byte[0], back.extra("empty"));
        assertEquals(17_000, back.recordsApplied());
        assertEquals("cfg-3", back.configHash());
        assertEquals(170, back.state().modelVersion());
        assertEquals(CheckpointFormat.VERSION, back.formatVersion());

        Path f = dir.resolve("c.ckpt");
        String sha;
        try (OutputStream out = new FileOutputStream(f.toFile())) {
            sha = CheckpointFormat.write(c, out);
        }
        assertEquals(c, CheckpointFormat.read(f));
        assertEquals(sha, CheckpointFormat.verify(f));
        byte[] trailer = Arrays.copyOfRange(bytes, bytes.length - 32, bytes.length);
        assertEquals(HexFormat.of().formatHex(trailer), sha);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(bytes, bytes.length - 32)), trailer);
    }

    @Test
    void layoutStartsWithMagicVersionAndLength() {
        byte[] bytes = CheckpointFormat.encode(Fixtures.checkpoint(1, 1));
        assertEquals("CTTACKPT", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, b.getInt(8));
        assertEquals(bytes.length, b.getLong(12));
        int h = b.getInt(20);
        // Header starts with the pipeline name as a length-prefixed string.
        assertEquals(Fixtures.PIPELINE.length(), b.getInt(24));
        assertEquals(Fixtures.PIPELINE, new String(bytes, 28, Fixtures.PIPELINE.length(), StandardCharsets.UTF_8));
        // The tensor count follows the header.
        assertEquals(4, b.getInt(24 + h));
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] bytes = CheckpointFormat.encode(Fixtures.checkpoint(2, 5));
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                    () -> CheckpointFormat.decode(cut), "length " + n);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("magic"), e.getMessage());
        }
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> CheckpointFormat.decode(Arrays.copyOf(bytes, bytes.length - 1)));
        assertEquals("truncated: the file has " + (bytes.length - 1) + " of its " + bytes.length + " bytes", e.reason());
        e = assertThrows(CorruptCheckpointException.class,
                () -> CheckpointFormat.decode(Arrays.copyOf(bytes, bytes.length + 3)));
        assertTrue(e.reason().contains("trailing bytes"), e.reason());
    }

    @Test
    void everyFlippedBitIsRejectedWithAReason() {
        byte[] bytes = CheckpointFormat.encode(Fixtures.checkpoint(2, 5));
        int checksumMismatches = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte[] bad = bytes.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                    () -> CheckpointFormat.decode(bad), "byte " + i);
            if (i >= CheckpointFormat.PREAMBLE_BYTES) {
                // Outside the preamble every flip is caught by the checksum, before any parsing.
                assertTrue(e.reason().startsWith("SHA-256 mismatch"), "byte " + i + ": " + e.reason());
                checksumMismatches++;
            }
        }
        assertEquals(bytes.length - CheckpointFormat.PREAMBLE_BYTES, checksumMismatches);
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(CorruptCheckpointException.class, () -> CheckpointFormat.decode(magic)).reason()
                .startsWith("not a ctta checkpoint"));
        byte[] version = bytes.clone();
        version[8] = 9;
        assertEquals("unsupported format version 9; this build reads versions 1 to 2",
                assertThrows(CorruptCheckpointException.class, () -> CheckpointFormat.decode(version)).reason());
    }

    /**
     * Version 1 (before pipeline state) has the same layout: a file written by an older build is
     * read, says it is version 1, and does not claim to carry the pipeline's state.
     */
    @Test
    void versionOneFilesStayReadableAndSayTheyPredatePipelineState() throws Exception {
        Checkpoint c = Fixtures.checkpoint(3, 17);
        assertEquals(2, CheckpointFormat.VERSION);
        assertTrue(c.carriesPipelineState());
        byte[] v1 = CheckpointFormat.encode(c);
        v1[8] = 1;
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(v1, v1.length - 32));
        System.arraycopy(sha, 0, v1, v1.length - 32, 32);
        Checkpoint back = CheckpointFormat.decode(v1);
        assertEquals(1, back.formatVersion());
        assertFalse(back.carriesPipelineState());
        assertEquals(c.offsets(), back.offsets());
        assertArrayEquals(c.state().tensors().get("param/conv1.weight").data(), back.state().tensors().get("param/conv1.weight").data());
        assertEquals(c.extra().keySet(), back.extra().keySet());
        assertThrows(IllegalArgumentException.class, () -> CheckpointFormat.encode(back), "a build writes only the current version");
    }

    @Test
    void absurdLengthsWithAValidChecksumAreRejectedBeforeAllocation() {
        byte[] bytes = CheckpointFormat.encode(Fixtures.checkpoint(2, 5));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int tensorCountAt = 24 + b.getInt(20);

        byte[] count = bytes.clone();
        ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putInt(tensorCountAt, Integer.MAX_VALUE);
        String reason = assertThrows(CorruptCheckpointException.class, () -> CheckpointFormat.decode(reseal(count)))
                .reason();
        assertTrue(reason.contains("tensor count 2147483647") && reason.contains("remaining"), reason);

        // First tensor (names ascend: "opt/empty") has rank 2: make its dimensions 2^31 x 2^31.
        int nameLen = b.getInt(tensorCountAt + 4);
        int rankAt = tensorCountAt + 8 + nameLen;
        assertEquals(2, b.getInt(rankAt));
        byte[] shape = bytes.clone();
        ByteBuffer s = ByteBuffer.wrap(shape).order(ByteOrder.LITTLE_ENDIAN);
        s.putLong(rankAt + 4, 1L << 31);
        s.putLong(rankAt + 12, 1L << 31);
        reason = assertThrows(CorruptCheckpointException.class, () -> CheckpointFormat.decode(reseal(shape))).reason();
        assertTrue(reason.contains("too large") , reason);

        byte[] str = bytes.clone();
        ByteBuffer.wrap(str).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 1 << 30);
        reason = assertThrows(CorruptCheckpointException.class, () -> CheckpointFormat.decode(reseal(str))).reason();
        assertTrue(reason.contains("pipeline has length 1073741824"), reason);

        byte[] header = bytes.clone();
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(20, Integer.MAX_VALUE);
        reason = assertThrows(CorruptCheckpointException.class, () -> CheckpointFormat.decode(reseal(header))).reason();
        assertTrue(reason.startsWith("header length 2147483647 is out of bounds"), reason);
    }

    @Test
    void writerRejectsInconsistentTensorsAndOldVersions() {
        StrategyState bad = new StrategyState("tent", 0, Map.of("w", new StrategyState.Tensor(new long[] {2, 2},
                new float[3])), Map.of());
        Checkpoint c = Checkpoint.of("p", 1, 0, Map.of(), bad, Map.of(), 0, "", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointFormat.encode(c));
        assertEquals("tensor 'w' has shape [2, 2] but 3 values", e.getMessage());
        for (int old : new int[] {1, 3}) {
            Checkpoint v = new Checkpoint(old, "p", "tent", 1, 0, Map.of(), new StrategyState("tent", 0, Map.of(), Map.of()),
                    Map.of(), 0, "", 0);
            assertThrows(IllegalArgumentException.class, () -> CheckpointFormat.encode(v), "version " + old);
        }
    }

    @Test
    void checkpointValidatesAndCopies() {
        StrategyState s = new StrategyState("tent", 0, Map.of(), Map.of());
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.of("../x", 1, 0, Map.of(), s, Map.of(), 0, "", 0));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.of("p", 0, 0, Map.of(), s, Map.of(), 0, "", 0));
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.of("p", 1, 0, Map.of("t", Map.of(0, -1L)), s, Map.of(), 0, "", 0));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(1, "p", "rmt", 1, 0, Map.of(), s, Map.of(),
                0, "", 0));
        byte[] blob = {1, 2};
        Checkpoint c = Checkpoint.of("p", 1, 0, Map.of(), s, Map.of("b", blob), 0, "", 0);
        blob[0] = 9;
        c.extra("b")[1] = 9;
        c.extra().get("b")[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, c.extra("b"));
        assertNotEquals(c, Checkpoint.of("p", 1, 0, Map.of(), s, Map.of("b", new byte[] {1, 3}), 0, "", 0));
    }

    /** Recomputes the SHA-256 trailer, as a crafted (not accidentally corrupt) file would have. */
    private static byte[] reseal(byte[] bytes) throws Exception {
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(bytes, bytes.length - 32));
        byte[] out = bytes.clone();
        System.arraycopy(sha, 0, out, bytes.length - 32, 32);
        return out;
    }
}
