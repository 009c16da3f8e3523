package io.ctta.streams.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetReadersTest {

    private final DatasetReaders readers = DatasetReaders.load();

    @Test
    void builtInReadersAreFoundByName() {
        assertTrue(readers.names().containsAll(Set.of("fashion-mnist", "fashion-mnist-c", "label-permuted", "input-permuted",
                "stream-dir")), readers.names().toString());
        assertEquals("stream-dir", readers.reader("stream-dir").name());
        for (DatasetReader r : readers.all()) {
            assertTrue(!r.description().isBlank() && !r.locationHelp().isBlank(), r.name());
            assertEquals(r.name(), r.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Test
    void unknownFormatsAndOptionsAreRefusedWithTheChoices() {
        String msg = assertThrows(IllegalArgumentException.class, () -> readers.reader("imagenet")).getMessage();
        assertTrue(msg.startsWith("unknown format 'imagenet'; known: ") && msg.contains("stream-dir"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> readers.open("stream-dir", null, ReaderOptions.of(Map.of("sevrity", "3")))).getMessage();
        assertTrue(msg.contains("has no option 'sevrity'"), msg);
    }

    @Test
    void optionValuesAreParsedWithErrorsNamingTheOptionAndTheFix() {
        ReaderOptions o = ReaderOptions.of(Map.of("n", "12", "cap", "all", "order", "Time", "list", "a, b", "bad", "x"));
        assertEquals(12, o.integer("n", 0, 1, 100));
        assertEquals(5, o.integer("absent", 5, 1, 100));
        assertEquals(Integer.MAX_VALUE, o.cap("cap", 10));
        assertEquals("time", o.choice("order", "domain", List.of("time", "domain")));
        assertEquals(List.of("a", "b"), o.list("list", List.of(), s -> s));
        String msg = assertThrows(IllegalArgumentException.class, () -> o.integer("bad", 0, 1, 9)).getMessage();
        assertEquals("option bad=x is invalid; give a whole number from 1 to 9, e.g. --option bad=...", msg);
        msg = assertThrows(IllegalArgumentException.class, () -> o.choice("bad", "a", List.of("a", "b"))).getMessage();
        assertTrue(msg.contains("give one of a, b"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> o.integer("n", 0, 13, 20)).getMessage();
        assertTrue(msg.contains("from 13 to 20"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> ReaderOptions.of(Map.of("l", "a,,b")).list("l", List.of(), s -> s)).getMessage();
        assertTrue(msg.contains("without empty items"), msg);
    }

    @Test
    void skipLogCountsEverySkipButKeepsOnlyTheFirstMessages() {
        SkipLog log = new SkipLog("test");
        assertEquals("test: no items skipped", log.summary());
        for (int i = 0; i < 30; i++) {
            log.skip(SkipLog.Reason.UNDECODABLE_IMAGE, "f" + i + ".jpg (metadata.csv line " + (i + 2) + ")", "not a JPEG");
        }
        log.skip(SkipLog.Reason.BAD_ROW, "metadata.csv line 40", "y is empty", 3);
        assertEquals(33, log.total());
        assertEquals(30, log.count(SkipLog.Reason.UNDECODABLE_IMAGE));
        assertEquals(3, log.count(SkipLog.Reason.BAD_ROW));
        assertEquals(SkipLog.LOGGED, log.messages().size());
        assertEquals("undecodable image: f0.jpg (metadata.csv line 2): not a JPEG", log.messages().get(0));
        assertTrue(log.summary().startsWith("test: skipped 33 items (30 undecodable image, 3 bad metadata row)"), log.summary());
    }
}
