package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        Files.writeString(dir.resolve("m.pt.json"), "{\"inputShape\":[1,28],\"numClasses\":3,\"preprocessing\":{\"scale\":1,\"mena\":0.5}}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.torchScript(pt));
        assertEquals("m.pt.json: unknown key 'preprocessing.mena'; did you mean 'preprocessing.mean'? known keys:"
                + " preprocessing.scale, preprocessing.mean,"
                + " preprocessing.std, preprocessing.resize, preprocessing.centerCrop", e.getMessage());
        Files.writeString(dir.resolve("m.pt.json"), "{\"inputShape\":[1,28],\"numClasses\":3,\"verison\":\"x\"}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.torchScript(pt));
        assertTrue(e.getMessage().startsWith("m.pt.json: unknown key 'verison'"), e.getMessage());
        Files.writeString(dir.resolve("m.pt.json"), "{\"inputShape\":[3,32,32],\"numClasses\":3,"
                + "\"preprocessing\":{\"mean\":[0.1,0.2],\"std\":[1,1]}}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.torchScript(pt));
        assertTrue(e.getMessage().contains("per-channel preprocessing for 2 channels does not fit input shape [3, 32, 32]"),
                e.getMessage());
        Files.writeString(dir.resolve("m.pt.json"), "{\"inputShape\":[3,32,32],\"numClasses\":3,"
                + "\"preprocessing\":{\"resize\":40}}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.torchScript(pt));
        assertTrue(e.getMessage().contains("add centerCrop [32, 32]"), e.getMessage());
    }

    @Test
    void perChannelPreprocessingAndGeometryFromTheSidecar() throws Exception {
        Path pt = Files.write(dir.resolve("rgb.pt"), new byte[] {1});
        Files.writeString(dir.resolve("rgb.pt.json"), "{\"inputShape\":[3,32,32],\"numClasses\":5,\"version\":\"r1\","
                + "\"preprocessing\":{\"scale\":0.5,\"mean\":[0.1,0.2,0.3],\"std\":0.5,\"resize\":36,\"centerCrop\":32}}");
        ModelSpec s = ModelSpec.torchScript(pt);
        assertEquals(new Preprocessing(0.5f, new float[] {0.1f, 0.2f, 0.3f}, new float[] {0.5f, 0.5f, 0.5f}),
                s.preprocessing());
        assertEquals(new ImageGeometry(new int[] {36}, new int[] {32, 32}), s.geometry());
        assertEquals((10 * 0.5f - 0.3f) / 0.5f, s.preprocessing().apply(10f, 2), 1e-6f);
        // A 3x48x40 image: shorter side 40 -> 36 (48 -> 43), then the central 32x32.
        float[] out = s.toModelInput(new int[] {3, 48, 40}, new float[3 * 48 * 40]);
        assertEquals(3 * 32 * 32, out.length);
        // A grey frame becomes three equal channels.
        float[] grey = new float[32 * 32];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = i % 32 < 16 ? 200f : 0f; // left half bright
        }
        float[] rgb = s.toModelInput(new int[] {1, 32, 32}, grey);
        assertEquals(3 * 32 * 32, rgb.length);
        for (int c = 0; c < 3; c++) {
            assertEquals(200f, rgb[c * 32 * 32 + 32 * 16 + 2], 1e-3f, "channel " + c + ", left");
            assertEquals(0f, rgb[c * 32 * 32 + 32 * 16 + 29], 1e-3f, "channel " + c + ", right");
        }
        assertArrayEquals(new int[] {-1, -1, -1}, s.acceptedShape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.toModelInput(new int[] {2, 48, 40}, new float[2 * 48 * 40]));
        assertEquals("shape [2, 48, 40] is not an image of 3 channel(s) [3,H,W] or a grey one [1,H,W]", e.getMessage());
    }

    @Test
    void builtinDefaults() {
        ModelSpec s = ModelSpec.builtinCnn();
        assertEquals(10, s.numClasses());
        assertEquals(Preprocessing.FASHION_MNIST, s.preprocessing());
        assertEquals((255 * (1 / 255f) - 0.2860f) / 0.3530f, Preprocessing.FASHION_MNIST.apply(255f), 1e-6);
    }
}
