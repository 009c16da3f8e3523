package io.ctta.adapters.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmUpCacheFormatTest {

    private static final WarmUpCacheFormat FORMAT = new WarmUpCacheFormat("x-warmup", 16, 0x1234L, "an x file");

    @Test
    void fileNamesHashTheKey(@TempDir Path dir) {
        String hex = HexFormat.of().formatHex(WarmUpCacheFormat.sha256().digest("k".getBytes(StandardCharsets.UTF_8)));
        assertEquals(dir.resolve("x-warmup-" + hex.substring(0, 16) + ".bin"), FORMAT.file(dir, "k"));
        assertEquals(dir.resolve("y-" + hex.substring(0, 32) + ".bin"),
                new WarmUpCacheFormat("y", 32, 1L, "y").file(dir, "k"));
    }

    @Test
    void entriesAreUsedOnlyUnderTheirKey(@TempDir Path dir) throws IOException {
        Path f = FORMAT.file(dir.resolve("sub"), "k");
        assertEquals(Optional.empty(), FORMAT.load(f, "k", (in, file) -> Optional.of(in.readUTF())));
        FORMAT.checkWritable(dir.resolve("sub"));
        FORMAT.save(f, "k", out -> out.writeUTF("body"));
        try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
            assertEquals(List.of(f), files.toList(), "only the entry, no temp or probe files");
        }
        assertEquals(Optional.of("body"), FORMAT.load(f, "k", (in, file) -> Optional.of(in.readUTF())));
        assertEquals(Optional.empty(), FORMAT.load(f, "other", (in, file) -> Optional.of(in.readUTF())));
        IOException foreign = assertThrows(IOException.class,
                () -> new WarmUpCacheFormat("x-warmup", 16, 0x9999L, "a z file").load(f, "k", (in, file) -> Optional.empty()));
        assertEquals(f + " is not a z file", foreign.getMessage());
        Files.write(f, new byte[] {0, 0});
        IOException cut = assertThrows(IOException.class, () -> FORMAT.load(f, "k", (in, file) -> Optional.empty()));
        assertTrue(cut.getMessage().endsWith("is truncated"), cut.getMessage());
    }
}
