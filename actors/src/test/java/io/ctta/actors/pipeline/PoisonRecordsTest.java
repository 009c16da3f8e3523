package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The bookkeeping that finds a record crashing the model: suspects first, poisoned after K crashes alone. */
class PoisonRecordsTest {

    private static RecordRef at(long offset) {
        return new RecordRef("in", 0, offset);
    }

    private static BatchFailedException failed(long... offsets) {
        return new BatchFailedException("boom", java.util.Arrays.stream(offsets).mapToObj(PoisonRecordsTest::at).toList());
    }

    @Test
    void aRecordIsPoisonedOnlyAfterKCrashesTheLastOneAlone() {
        PoisonRecords p = new PoisonRecords(3);
        long[] batch = IntStream.range(100, 164).asLongStream().toArray();
        assertEquals(Optional.empty(), p.failed(failed(batch)), "a batch failure poisons nothing");
        assertEquals(64, p.view().suspects().size(), "every record of the failed batch is a suspect");
        assertEquals(Optional.empty(), p.failed(failed(133)), "second crash, alone");
        assertEquals(2, p.crashes(at(133)));
        assertEquals(Optional.of(at(133)), p.failed(failed(133)), "third crash, alone: poisoned");
        PoisonRecords.View v = p.view();
        assertTrue(v.poisoned().get(at(133)).startsWith("model-crash: crashed the model 3 times"), v.poisoned().get(at(133)));
        assertTrue(!v.suspects().contains(at(133)), "a poisoned record is no longer a suspect");
        assertEquals(63, v.suspects().size());
        assertEquals(Optional.empty(), p.failed(failed(133)), "declared once");
    }

    @Test
    void batchCrashesAloneNeverPoisonARecord() {
        PoisonRecords p = new PoisonRecords(2);
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.empty(), p.failed(failed(1, 2)));
        }
        assertTrue(p.view().poisoned().isEmpty(), "only a failure of the record alone proves it is at fault");
    }

    @Test
    void aLimitOfOneDeadLettersAtTheFirstLoneCrash() {
        PoisonRecords p = new PoisonRecords(1);
        assertEquals(Optional.of(at(5)), p.failed(failed(5)));
        assertThrows(IllegalArgumentException.class, () -> new PoisonRecords(0));
    }

    @Test
    void memoryIsBounded() {
        PoisonRecords p = new PoisonRecords(3);
        for (long o = 0; o < PoisonRecords.MAX_TRACKED + 500; o += 50) {
            p.failed(failed(IntStream.range(0, 50).mapToLong(i -> 0L + i).map(i -> i).toArray()));
        }
        long[] many = IntStream.range(0, PoisonRecords.MAX_TRACKED + 100).asLongStream().toArray();
        p.failed(failed(many));
        assertEquals(PoisonRecords.MAX_TRACKED, p.view().suspects().size());
        assertEquals(List.of(), List.copyOf(p.view().poisoned().keySet()));
    }
}
