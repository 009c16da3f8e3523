package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSpecTest {
    @TempDir
    Path dir;

    @Test
    void readsSidecar() throws Exception {
        Path pt = Files.write(dir.resolve("m.pt"), new byte[] {1});
        Files.writeString(dir.resolve("m.pt.json"), "{\"inputShape\":[1,28,28],\"numClasses\":10,"
                + "\"preprocessing\":{\"scale\":0.5,\"mean\":0.1,\"std\":2},\"version\":\"v7\"}");
        ModelSpec s = ModelSpec.torchScript(pt);
        assertArrayEquals(new int[] {1, 28, 28}, s.inputShape());
        assertEquals(10, s.numClasses());
        assertEquals(new Preprocessing(0.5f, 0.1f, 2f), s.preprocessing());
        assertEquals("v7", s.version());
    }

    @Test
    void namesMissingAndInvalidKeys() throws Exception {
        Path pt = Files.write(dir.resolve("m.pt"), new byte[] {1});
        Files.writeString(dir.resolve("m.pt.json"), "{\"numClasses\":10}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.torchScript(pt));
        assertTrue(e.getMessage().contains("'inputShape'"), e.getMessage());
        Files.writeString(dir.resolve("m.pt.json"), "{\"inputShape\":[1,28],\"numClasses\":\"ten\"}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.torchScript(pt));
        assertTrue(e.getMessage().contains("'numClasses'"), e.getMessage());
        Files.writeString(dir.resolve("m.pt.json"), "{\"inputShape\":[1,28],\"numClasses\":3,\"preprocessing\":{\"scale\":1}}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.torchScript(pt));
        assertTrue(e.getMessage().contains("'preprocessing.mean'"), e.getMessage());
    }

    @Test
    void builtinDefaults() {
        ModelSpec s = ModelSpec.builtinCnn();
        assertEquals(10, s.numClasses());
        assertEquals(Preprocessing.FASHION_MNIST, s.preprocessing());
        assertEquals((255 * (1 / 255f) - 0.2860f) / 0.3530f, Preprocessing.FASHION_MNIST.apply(255f), 1e-6);
    }
}
