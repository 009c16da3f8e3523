package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.adapt.StrategyState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFilesTest {

    private static Map<String, StrategyState.Tensor> tensors() {
        Map<String, StrategyState.Tensor> t = new LinkedHashMap<>();
        t.put("w", new StrategyState.Tensor(new long[] {2, 2}, new float[] {1, -2, 3.5f, Float.NaN}));
        t.put("b", new StrategyState.Tensor(new long[] {}, new float[] {7}));
        return t;
    }

    @Test
    void tensorsRoundTripAtomicallyWithoutTempFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("sub/t.bin");
        TensorFiles.writeAtomically(f, out -> {
            out.writeLong(42);
            TensorFiles.writeTensors(out, tensors());
        });
        try (Stream<Path> files = Files.list(f.getParent())) {
            assertEquals(List.of(f), files.toList());
        }
        Map<String, StrategyState.Tensor> back = TensorFiles.read(f, in -> {
            assertEquals(42, in.readLong());
            return TensorFiles.readTensors(in, f);
        });
        assertEquals(List.of("w", "b"), List.copyOf(back.keySet()));
        assertArrayEquals(new long[] {2, 2}, back.get("w").shape());
        assertArrayEquals(new float[] {1, -2, 3.5f, Float.NaN}, back.get("w").data(), 0f);
        assertArrayEquals(new long[] {}, back.get("b").shape());
    }

    @Test
    void truncatedAndCorruptFilesAreIoErrors(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.bin");
        TensorFiles.writeAtomically(f, out -> TensorFiles.writeTensors(out, tensors()));
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 3));
        IOException cut = assertThrows(IOException.class, () -> TensorFiles.read(f, in -> TensorFiles.readTensors(in, f)));
        assertEquals(f + " is truncated", cut.getMessage());
        // The length of "w" (after count, name, rank and shape) claims far more floats than the file holds.
        int at = 4 + 2 + 1 + 4 + 2 * 8;
        all[at] = 0x10;
        Files.write(f, all);
        IOException bad = assertThrows(IOException.class, () -> TensorFiles.read(f, in -> TensorFiles.readTensors(in, f)));
        assertTrue(bad.getMessage().contains("implausible tensor length"), bad.getMessage());
    }

    @Test
    void aFailedWriteLeavesNothing(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.bin");
        assertThrows(IOException.class, () -> TensorFiles.writeAtomically(f, out -> {
            out.writeInt(1);
            throw new IOException("disk full");
        }));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }
}
