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
        assertMessage("invalid setting 'strategies.\"a+b\".n' = 1.5: expected an integer", "n = 1.5", s -> s.getInt("n", 1));
        assertMessage("invalid setting 'strategies.\"a+b\".n' = 1: expected an integer >= 2", "n = 1",
                s -> s.getInt("n", 4, 2, Integer.MAX_VALUE));
        assertMessage("invalid setting 'strategies.\"a+b\".n' = 30: expected an integer in [1, 24]", "n = 30", s -> s.getInt("n", 1, 1, 24));
        assertMessage("invalid setting 'strategies.\"a+b\".n' = -1: expected an integer >= 0 (0: never)", "n = -1",
                s -> s.getInt("n", 0, 0, Integer.MAX_VALUE, "an integer >= 0 (0: never)"));
        assertMessage("invalid setting 'strategies.\"a+b\".n' = 3000000000: expected an integer", "n = 3000000000", s -> s.getInt("n", 1));
    }

    @Test
    void choicesBlocksAndUnknownKeys() {
        assertEquals("knn", of("m = KNN").oneOf("m", "sketch", "sketch", "knn"));
        assertEquals("sketch", of("").oneOf("m", "sketch", "sketch", "knn"));
        assertMessage("invalid setting 'strategies.\"a+b\".m' = \"lsh\": expected one of sketch, knn", "m = lsh",
                s -> s.oneOf("m", "sketch", "sketch", "knn"));
        assertEquals(0.5, of("inner { x = 0.5 }").sub("inner").getDouble("x", 0), 0);
        assertEquals(2, of("").sub("inner").getDouble("x", 2), 0);
        assertMessage("invalid setting 'strategies.\"a+b\".inner' = 3: expected a block { ... }", "inner = 3", s -> s.sub("inner"));
        assertMessage("invalid setting 'strategies.\"a+b\".inner.y': unknown setting; known keys here: x", "inner { y = 1 }",
                s -> s.sub("inner").rejectUnknown(Set.of("x")));
    }
}
