package io.ctta.benchmarks.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.data.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run of {@code ctta bench scale-nodes}: a broker and three {@code ctta run} processes (one,
 * then two) in child JVMs over a 4-partition stream of 300 Fashion-MNIST-C records; each run must
 * predict every record and report the CPU its nodes used. No figure is judged.
 */
class NodesBenchTest {

    @Test
    void oneNodeAndTwoNodesEachPredictTheWholeStream(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.defaultDirectory()), "Fashion-MNIST is not installed");
        NodesBench.Options o = new NodesBench.Options("tent", List.of(1, 2), 4, 20, 16, 0, 0, "512m", 1, 1,
                FashionMnist.defaultDirectory(), null, null, work);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<NodesBench.Row> rows = new NodesBench(o, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        String printed = log.toString(StandardCharsets.UTF_8);
        assertEquals(List.of(1, 2), rows.stream().map(NodesBench.Row::nodes).toList(), printed);
        for (NodesBench.Row r : rows) {
            assertEquals(15 * 20, r.records(), "15 corruptions x 20 records");
            assertEquals(r.records(), r.distinct(), "every record predicted: " + r);
            assertTrue(r.predictions() >= r.distinct(), r.toString());
            assertEquals(4, r.held().stream().mapToInt(Integer::intValue).sum(), "the nodes held every partition: " + r);
            assertEquals(r.nodes(), r.held().size(), "one group member per node: " + r);
            assertEquals(r.nodes(), r.cpuPerNode().size());
            assertTrue(r.cpuPerNode().stream().allMatch(c -> c > 0), "every node worked: " + r);
            assertTrue(r.spanMs() > 0 && r.wallSeconds() > 0 && r.samplesPerSecond() > 0, r.toString());
            assertTrue(r.brokerCpuSeconds() >= 0, "the broker child's CPU is known: " + r);
            assertEquals(0, r.disruptions(), "the group served as it was formed, no rebalance, no restart: " + r);
        }
        // With two cores and four partitions: one node runs two models at once, two nodes one each.
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(NodeConfig.threads(cores, 2, 4, 0, 0)[0], rows.get(1).modelThreads());
        // Each node's own log says it ran the partition-scoped pipeline with the config it was given.
        try (var files = Files.list(work)) {
            List<Path> logs = files.filter(p -> p.getFileName().toString().endsWith(".log")).toList();
            assertEquals(3, logs.size(), logs.toString());
            for (Path l : logs) {
                assertTrue(Files.readString(l).contains(NodeProcess.RUNNING), l.toString());
            }
        }
        String table = NodesBench.table(rows);
        assertTrue(table.contains("| 1.00x |"), table);
        assertTrue(NodesBench.summary(rows).startsWith("2 nodes / 1 node: "), NodesBench.summary(rows));
        assertTrue(printed.contains("load average"), printed);
    }

    @Test
    void everyNodeNeedsAPartition() {
        assertThrows(IllegalArgumentException.class, () -> new NodesBench.Options("tent", List.of(1, 4), 2, 20, 16, 0, 0, "1g", 1, 1,
                FashionMnist.defaultDirectory(), null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new NodesBench.Options("tent", List.of(1, 2), 4, 20, 16, 0, 0, "lots", 1, 1,
                FashionMnist.defaultDirectory(), null, null, null));
    }
}
