package io.ctta.benchmarks.nodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.ConsumerGroupState;

/**
 * The N nodes of one measurement, all started with the same config: they are ready when every
 * one runs its pipeline, the consumer group is stable with N members holding every input
 * partition, and every node has spawned the models of its partitions. Closing stops them all
 * with SIGTERM at once, then waits for each.
 */
final class NodeGroup implements AutoCloseable {

    /**
     * What the pipeline supervisor logs once a partition-scoped pipeline's models for an assignment
     * are spawned and rewound, just before its consumer reads them: once per assignment, so more
     * than once per node means the group rebalanced.
     */
    static final String SERVING = "serving partitions";

    private static final long POLL_MS = 200;

    private final NodeConfig config;
    private final List<NodeProcess> nodes;

    private NodeGroup(NodeConfig config, List<NodeProcess> nodes) {
        this.config = config;
        this.nodes = nodes;
    }

    /** Writes the config under {@code dir} and starts {@code count} nodes with it, logs beside it. */
    static NodeGroup start(NodeConfig config, int count, Path dir, String heap) throws IOException, InterruptedException {
        Path file = dir.resolve(config.pipeline() + ".conf");
        Files.writeString(file, config.hocon(), StandardCharsets.UTF_8);
        List<NodeProcess> started = new ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                started.add(NodeProcess.start(file, dir.resolve(config.pipeline() + "-node" + i + ".log"), heap));
            }
        } catch (IOException | RuntimeException e) {
            new NodeGroup(config, started).close();
            throw e;
        }
        return new NodeGroup(config, List.copyOf(started));
    }

    List<NodeProcess> nodes() {
        return nodes;
    }

    /**
     * Waits until the nodes are ready to serve (see the class comment).
     *
     * @param partitions the input topic's partitions, all of which must be held
     * @return input partitions held by each member of the group, e.g. {@code [2, 2]}
     * @throws IllegalStateException when a node exits meanwhile (its log's tail in the message) or after {@code limit}
     */
    List<Integer> awaitReady(Properties kafka, int partitions, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Admin admin = Admin.create(kafka)) {
            while (true) {
                String dead = deadNode();
                if (dead != null) {
                    throw new IllegalStateException(dead);
                }
                List<Integer> held = allServing() ? stableAssignment(admin, partitions) : null;
                if (held != null) {
                    return held;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the " + nodes.size() + " node(s) of pipeline " + config.pipeline() + " were not all serving within "
                            + limit.toSeconds() + " s; logs: " + nodes.stream().map(NodeProcess::log).toList());
                }
                // A benchmark's wait for other processes, not a test's: nothing to block on.
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            }
        }
    }

    /** A message naming a node that has exited, with its log's tail, or null while all live. */
    String deadNode() {
        for (NodeProcess n : nodes) {
            if (!n.isAlive()) {
                return "node " + n.log().getFileName() + " exited; the end of its log:\n" + n.logTail(30);
            }
        }
        return null;
    }

    /** CPU nanoseconds of each node so far. */
    long[] cpuNanos() {
        return nodes.stream().mapToLong(NodeProcess::cpuNanos).toArray();
    }

    /** Assignments beyond each node's first (rebalances seen by the nodes) so far. */
    int extraAssignments() throws IOException {
        int extra = 0;
        for (NodeProcess n : nodes) {
            extra += Math.max(0, servingLines(n) - 1);
        }
        return extra;
    }

    private boolean allServing() throws IOException {
        for (NodeProcess n : nodes) {
            if (!n.running() || servingLines(n) == 0) {
                return false;
            }
        }
        return true;
    }

    private static int servingLines(NodeProcess n) throws IOException {
        int count = 0;
        for (String line : Files.readAllLines(n.log(), StandardCharsets.UTF_8)) {
            if (line.contains(SERVING)) {
                count++;
            }
        }
        return count;
    }

    /** Partitions of the input topic per member once the group is stable with every node and every partition held; else null. */
    private List<Integer> stableAssignment(Admin admin, int partitions) throws InterruptedException {
        ConsumerGroupDescription g;
        try {
            g = admin.describeConsumerGroups(List.of(config.groupId())).all().get(30, TimeUnit.SECONDS).get(config.groupId());
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
        if (g.state() != ConsumerGroupState.STABLE || g.members().size() != nodes.size()) {
            return null;
        }
        List<Integer> held = new ArrayList<>();
        for (MemberDescription m : g.members()) {
            held.add((int) m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(config.inputTopic())).count());
        }
        int all = held.stream().mapToInt(Integer::intValue).sum();
        return held.contains(0) || all != partitions ? null : held.stream().sorted().toList();
    }

    /** SIGTERM to every node at once (each drains and writes its final checkpoints), then waits for each. */
    @Override
    public void close() throws InterruptedException {
        for (NodeProcess n : nodes) {
            n.signalStop();
        }
        for (NodeProcess n : nodes) {
            n.close();
        }
    }
}
