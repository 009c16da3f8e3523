package io.ctta.benchmarks.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.config.ConfigFiles;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The file each node runs with, and the rule that keeps N nodes within the machine's cores. */
class NodeConfigTest {

    @Test
    void nodesTimesModelThreadsTimesOperatorThreadsStayWithinTheCores() {
        // 2 cores, 4 partitions: one node runs 2 models at once on 1 operator thread each; two nodes 1 each.
        assertArrayEquals(new int[] {2, 1}, NodeConfig.threads(2, 1, 4, 0, 0));
        assertArrayEquals(new int[] {1, 1}, NodeConfig.threads(2, 2, 4, 0, 0));
        // More nodes than cores: still one thread of each kind (the machine is oversubscribed, and says so in the figures).
        assertArrayEquals(new int[] {1, 1}, NodeConfig.threads(2, 4, 4, 0, 0));
        // 16 cores, 4 partitions: a node never runs more model threads than it has partitions; operators get the rest.
        assertArrayEquals(new int[] {4, 4}, NodeConfig.threads(16, 1, 4, 0, 0));
        assertArrayEquals(new int[] {2, 4}, NodeConfig.threads(16, 2, 4, 0, 0));
        // 3 partitions over 2 nodes: the larger share (2) bounds the model threads.
        assertArrayEquals(new int[] {2, 2}, NodeConfig.threads(8, 2, 3, 0, 0));
        // Given counts are kept; the other one follows the rule.
        assertArrayEquals(new int[] {1, 2}, NodeConfig.threads(2, 1, 4, 1, 0));
        assertArrayEquals(new int[] {2, 3}, NodeConfig.threads(2, 1, 4, 0, 3));
    }

    @Test
    void theFileIsAValidPartitionScopedPipelineWithCheckpointsInKafka() {
        NodeConfig c = new NodeConfig("127.0.0.1:9999", "nodes-a", "nodes-a.in", "tent", 32, 1, 2, Path.of("/tmp/w \"x\".params"));
        Config full = ConfigFiles.withDefaults(ConfigFactory.parseString(c.hocon()));
        CttaSettings s = CttaSettings.fromConfig(full.getConfig("ctta"), StrategyRegistry.load());
        assertEquals("127.0.0.1:9999", s.kafka().bootstrapServers());
        assertEquals(false, s.http().enabled());
        assertEquals(2, s.model().intraOpThreads(1).count());
        assertEquals(Path.of("/tmp/w \"x\".params").toAbsolutePath(), s.model().weights().toAbsolutePath());
        assertEquals(io.ctta.runtime.checkpoint.CheckpointSettings.Store.KAFKA, s.checkpoints().store());
        CttaSettings.PipelineConf p = s.pipelines().get(0);
        assertEquals("nodes-a", p.name());
        assertEquals("nodes-a.in", p.inputTopic());
        assertEquals(c.groupId(), p.groupId());
        assertEquals("tent", p.strategy());
        assertEquals(32, p.batchSize());
        assertEquals(CttaSettings.Scope.PARTITION, p.scope());
        assertEquals(1, full.getInt("ctta-model-dispatcher.thread-pool-executor.fixed-pool-size"));
    }

    @Test
    void aNodeNeedsAThreadOfEachKind() {
        assertThrows(IllegalArgumentException.class, () -> new NodeConfig("b", "p", "t", "tent", 64, 0, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new NodeConfig("b", "p", "t", "tent", 64, 1, 0, null));
    }
}
