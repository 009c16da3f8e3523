package io.ctta.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPinningTest {
    /** SHA-256("abc"), FIPS 180-2 appendix B.1. */
    static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @TempDir
    Path dir;

    @Test
    void verifiesTheKnownAnswerInAnySpelling() throws Exception {
        Path f = Files.writeString(dir.resolve("model.pt"), "abc");
        assertEquals(ABC, ModelPinning.sha256(f));
        assertEquals(ABC, ModelPinning.verify(f, ABC));
        assertEquals(ABC, ModelPinning.verify(f, ABC.toUpperCase()));
        assertEquals(ABC, ModelPinning.verify(f, " sha256:" + ABC + "\n"));
    }

    @Test
    void mismatchNamesFileExpectedAndActual() throws Exception {
        Path f = Files.writeString(dir.resolve("model.pt"), "abd");
        ModelPinning.HashMismatchException e = assertThrows(ModelPinning.HashMismatchException.class,
                () -> ModelPinning.verify(f, ABC));
        assertEquals(f, e.file());
        assertEquals(ABC, e.expected());
        assertEquals(ModelPinning.sha256(f), e.actual());
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(ABC)
                && e.getMessage().contains(e.actual()), e.getMessage());
    }

    @Test
    void rejectsMalformedPinsAndMissingFiles() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelPinning.verify(dir.resolve("x"), "abc123"));
        assertTrue(e.getMessage().contains("64 hex digits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelPinning.verify(dir.resolve("x"), null));
        assertThrows(NoSuchFileException.class, () -> ModelPinning.verify(dir.resolve("x"), ABC));
    }
}
