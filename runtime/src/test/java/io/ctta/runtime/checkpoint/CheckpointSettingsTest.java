package io.ctta.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckpointSettingsTest {
    private static CheckpointSettings parse(String hocon) {
        return CheckpointSettings.fromConfig(ConfigFactory.parseString(hocon), "ctta.checkpoints");
    }

    @Test
    void defaultsAndValues() {
        CheckpointSettings d = parse("");
        assertFalse(d.enabled());
        assertNull(d.dir());
        assertEquals(3, d.keep());
        assertEquals(10_000, d.everyRecords());
        assertEquals(Duration.ofSeconds(60), d.interval());
        CheckpointSettings s = parse("ctta.checkpoints { dir = /var/lib/ctta, keep = 5, every-records = 0,"
                + " interval = 250ms }");
        assertTrue(s.enabled());
        assertEquals(Path.of("/var/lib/ctta"), s.dir());
        assertEquals(5, s.keep());
        assertEquals(0, s.everyRecords());
        assertEquals(Duration.ofMillis(250), s.interval());
    }

    @Test
    void errorsNameTheKey() {
        assertEquals("invalid setting 'ctta.checkpoints.keep' = 0: expected an integer in [1, 10000]",
                assertThrows(IllegalArgumentException.class, () -> parse("ctta.checkpoints.keep = 0")).getMessage());
        assertEquals("invalid setting 'ctta.checkpoints.every-records' = \"many\": expected an integer >= 0",
                assertThrows(IllegalArgumentException.class,
                        () -> parse("ctta.checkpoints.every-records = many")).getMessage());
        String m = assertThrows(IllegalArgumentException.class, () -> parse("ctta.checkpoints.interval = -1s"))
                .getMessage();
        assertTrue(m.startsWith("invalid setting 'ctta.checkpoints.interval' = \"-1s\": expected a duration >= 0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parse("ctta.checkpoints.interval = soon")).getMessage();
        assertTrue(m.startsWith("invalid setting 'ctta.checkpoints.interval' = \"soon\": expected a duration"), m);
    }

    @Test
    void aMisspeltKeyIsAnErrorThatSuggestsTheDeclaredOne() {
        String m = assertThrows(IllegalArgumentException.class, () -> parse("ctta.checkpoints.every-record = 5")).getMessage();
        assertEquals("invalid setting 'ctta.checkpoints.every-record': unknown setting; did you mean 'ctta.checkpoints.every-records'?", m);
    }

    @Test
    void aKafkaStoreNeedsNoDirectoryAndAnUnknownStoreNamesTheKey() {
        assertEquals(CheckpointSettings.Store.FILE, parse("").store());
        CheckpointSettings k = parse("ctta.checkpoints { store = kafka, topic = ckpts }");
        assertTrue(k.enabled(), "a Kafka store is on without a directory");
        assertEquals(CheckpointSettings.Store.KAFKA, k.store());
        assertEquals("ckpts", k.topic());
        String m = assertThrows(IllegalArgumentException.class, () -> parse("ctta.checkpoints.store = s3")).getMessage();
        assertTrue(m.startsWith("invalid setting 'ctta.checkpoints.store' = \"s3\": expected one of file, kafka"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parse("ctta.checkpoints { store = kafka, topic = \"\" }")).getMessage();
        assertTrue(m.contains("ctta.checkpoints.topic"), m);
    }
}
