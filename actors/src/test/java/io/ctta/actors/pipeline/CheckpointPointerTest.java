package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pointer record's wire form: what a restart reads back is what the transaction wrote. */
class CheckpointPointerTest {

    @Test
    void roundTripsThroughItsRecord() {
        CheckpointPointer p = new CheckpointPointer("cam0", 3, 17, Map.of("in", Map.of(0, 128L, 2, 4_000_000_000L)), 1234L);
        var record = p.record("cam0.checkpoints");
        assertEquals("cam0", new String(record.key(), StandardCharsets.UTF_8), "keyed by pipeline, for compaction");
        CheckpointPointer back = CheckpointPointer.decode(record.value());
        assertEquals(p, back);
        assertEquals("e3/s17", back.id().toString());
    }

    @Test
    void refusesWhatIsNotAPointer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointPointer.decode("{\"pipeline\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, e.getMessage().startsWith("not a checkpoint pointer"));
    }
}
