package io.ctta.benchmarks.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.data.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A tiny run of {@code ctta bench scale}: every model serves the whole stream, every mode is measured. */
class ScaleBenchTest {

    @Test
    void oneAndTwoModelsWithBothBackwardModesServeTheWholeStreamEach() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.defaultDirectory()), "Fashion-MNIST is not installed");
        ScaleBench.Options o = new ScaleBench.Options("tent", List.of(1, 2), 16, 3, List.of(0), true, 1, 1,
                FashionMnist.defaultDirectory(), null, 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<ScaleBench.Row> rows = new ScaleBench(o, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        assertEquals(4, rows.size());
        for (ScaleBench.Row r : rows) {
            assertEquals(r.models() * 3L * 16, r.samples(), r.toString());
            assertTrue(r.seconds() > 0);
            assertTrue(r.coresUsed() > 0, r.toString());
        }
        assertEquals(List.of(false, true, false, true), rows.stream().map(ScaleBench.Row::serialized).toList());
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.max(1, cores / 2), rows.get(2).intraOpThreads(), "auto: the cores shared by two models");
        String table = ScaleBench.table(rows);
        assertTrue(table.contains("| 1.00x |"), table);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("load average"));
    }

    @Test
    void theLockIsEmulatedForTentOnly() {
        assertThrows(IllegalArgumentException.class, () -> new ScaleBench.Options("norm", List.of(1), 16, 3, List.of(0), true, 0, 1,
                FashionMnist.defaultDirectory(), null, 1));
        assertThrows(IllegalArgumentException.class, () -> new ScaleBench.Options("tent", List.of(0), 16, 3, List.of(0), false, 0, 1,
                FashionMnist.defaultDirectory(), null, 1));
    }
}
