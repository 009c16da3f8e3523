package io.ctta.benchmarks.nodes;

import java.nio.file.Path;

/**
 * The HOCON file every node of one measurement runs with {@code ctta run --config}: one pipeline
 * with {@code scope = partition} (a model per input partition, shared among the nodes through the
 * consumer group), checkpoints in Kafka (a partition's model can move to another node), the HTTP
 * endpoint off (two nodes on one machine would want the same port), and the node's threads fixed
 * so that N nodes together run as many threads as the machine has cores.
 *
 * @param pipeline the pipeline's name; also its consumer group ({@link #groupId()}), so a new name is a new group
 * @param modelThreads threads of the node's model dispatcher ({@code ctta-model-dispatcher}): partitions it serves at once
 * @param intraOpThreads {@code ctta.model.intra-op-threads}: operator threads of each model thread
 * @param weights parameters of the built-in CNN, or null for its seeded initialisation ({@code ctta run}'s default)
 */
record NodeConfig(String bootstrap, String pipeline, String inputTopic, String strategy, int batchSize, int modelThreads,
        int intraOpThreads, Path weights) {

    NodeConfig {
        if (modelThreads < 1 || intraOpThreads < 1) {
            throw new IllegalArgumentException("model and operator threads per node must be at least 1, got " + modelThreads + " and " + intraOpThreads);
        }
    }

    /**
     * Threads of one node when {@code nodes} nodes share {@code cores} cores and {@code partitions}
     * partitions: {@code {model threads, operator threads}}, each at least 1. A node runs at most as
     * many model threads as it has partitions, and nodes x model threads x operator threads stays
     * within the cores, so adding a node never adds threads to the machine (with 2 cores: one node
     * 2 x 1, two nodes 1 x 1 each; with 16 cores and 4 partitions: one node 4 x 4, two nodes 2 x 4).
     *
     * @param modelThreads the model threads wanted, or 0 for the rule above
     * @param intraOpThreads the operator threads wanted, or 0 for the rule above
     */
    static int[] threads(int cores, int nodes, int partitions, int modelThreads, int intraOpThreads) {
        int partitionsPerNode = (partitions + nodes - 1) / nodes;
        int m = modelThreads > 0 ? modelThreads : Math.max(1, Math.min(partitionsPerNode, cores / nodes));
        int t = intraOpThreads > 0 ? intraOpThreads : Math.max(1, cores / (nodes * m));
        return new int[] {m, t};
    }

    /** The pipeline's consumer group. */
    String groupId() {
        return "ctta-" + pipeline;
    }

    /** The file's text. */
    String hocon() {
        StringBuilder b = new StringBuilder();
        b.append("# Written by ctta bench scale-nodes: one node of a partition-scoped pipeline.\n");
        b.append("ctta {\n");
        b.append("  kafka.bootstrap-servers = ").append(quote(bootstrap)).append('\n');
        b.append("  http.enabled = false\n");
        b.append("  model.intra-op-threads = ").append(intraOpThreads).append('\n');
        if (weights != null) {
            b.append("  model.weights = ").append(quote(weights.toAbsolutePath().toString())).append('\n');
        }
        b.append("  checkpoints.store = kafka\n");
        b.append("  pipelines = [{\n");
        b.append("    name = ").append(quote(pipeline)).append('\n');
        b.append("    group-id = ").append(quote(groupId())).append('\n');
        b.append("    input-topic = ").append(quote(inputTopic)).append('\n');
        b.append("    strategy = ").append(quote(strategy)).append('\n');
        b.append("    scope = partition\n");
        b.append("    batch-size = ").append(batchSize).append('\n');
        b.append("  }]\n");
        b.append("}\n");
        b.append("ctta-model-dispatcher.thread-pool-executor.fixed-pool-size = ").append(modelThreads).append('\n');
        return b.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
