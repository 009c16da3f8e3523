package io.ctta.adapters.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static Settings of(String hocon) {
        return Settings.forStrategy(ConfigFactory.parseString(hocon), "a+b");
    }

    private static void assertMessage(String expected, String hocon, Consumer<Settings> read) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.accept(of(hocon)));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void wholeNumbersNameTheirRangeAndTheValue() {
        assertEquals(7, of("n = 7").getInt("n", 1));
        assertEquals(1, of("").getInt("n", 1, 1, 24));
        assertMessage("strategies.\"a+b\".n must be an integer, got 1.5", "n = 1.5", s -> s.getInt("n", 1));
        assertMessage("strategies.\"a+b\".n must be an integer >= 2, got 1", "n = 1",
                s -> s.getInt("n", 4, 2, Integer.MAX_VALUE));
        assertMessage("strategies.\"a+b\".n must be an integer in [1, 24], got 30", "n = 30", s -> s.getInt("n", 1, 1, 24));
        assertMessage("strategies.\"a+b\".n must be an integer >= 0 (0: never), got -1", "n = -1",
                s -> s.getInt("n", 0, 0, Integer.MAX_VALUE, "an integer >= 0 (0: never)"));
        assertMessage("strategies.\"a+b\".n must be an integer, got 3000000000", "n = 3000000000", s -> s.getInt("n", 1));
    }

    @Test
    void choicesBlocksAndUnknownKeys() {
        assertEquals("knn", of("m = KNN").oneOf("m", "sketch", "sketch", "knn"));
        assertEquals("sketch", of("").oneOf("m", "sketch", "sketch", "knn"));
        assertMessage("strategies.\"a+b\".m must be one of sketch, knn, got 'lsh'", "m = lsh",
                s -> s.oneOf("m", "sketch", "sketch", "knn"));
        assertEquals(0.5, of("inner { x = 0.5 }").sub("inner").getDouble("x", 0), 0);
        assertEquals(2, of("").sub("inner").getDouble("x", 2), 0);
        assertMessage("strategies.\"a+b\".inner must be a block { ... }, got '3'", "inner = 3", s -> s.sub("inner"));
        assertMessage("strategies.\"a+b\".inner.y is not a setting here; known: x", "inner { y = 1 }",
                s -> s.sub("inner").rejectUnknown(Set.of("x")));
    }
}
