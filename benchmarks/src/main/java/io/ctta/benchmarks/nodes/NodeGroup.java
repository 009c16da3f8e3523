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
import org.apache.kafka.common.TopicPartition;

/**
 * The N nodes of one measurement, all with the same config, started one after the other: each
 * next node only once the nodes before it are ready, i.e. the consumer group is stable with one
 * member per node holding every input partition between them, and every node's pipeline serves
 * exactly the partitions the group gave it, its models spawned, with no restart since. (Nodes
 * started together join while the first one is still spawning its models for the whole topic;
 * docs/benchmarks/scale.md says what that costs today.) Closing stops them all with SIGTERM at
 * once, then waits for each.
 */
final class NodeGroup implements AutoCloseable {

    /**
     * What the pipeline supervisor logs once the models of partitions newly given to a
     * partition-scoped pipeline are spawned and rewound, just before its consumer reads them:
     * {@code serving partitions [0, 1], ...} (rebalancing is incremental: partitions it keeps are not
     * listed again).
     */
    static final String SERVING = "serving partitions [";
    /** What it logs when a partition left it for good: {@code partition 3 revoked; ...}. */
    private static final java.util.regex.Pattern REVOKED = java.util.regex.Pattern.compile("partition (\\d+) revoked");
    /** What the pipeline supervisor logs when the pipeline's run failed and is restarted. */
    static final String RESTARTING = "failed, restarting";

    private static final long POLL_MS = 200;

    private final NodeConfig config;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private List<Integer> held = List.of();
    /** Assignments and restarts each node had logged when the group was ready. */
    private int[] eventsWhenReady = new int[0];

    private NodeGroup(NodeConfig config) {
        this.config = config;
    }

    /**
     * Writes the config under {@code dir} and starts {@code count} nodes with it, one after the
     * other (see the class comment), logs beside it.
     *
     * @param partitions the input topic's partitions, all of which the nodes must hold
     * @param limit how long each node may take to be ready
     * @throws IllegalStateException when a node exits meanwhile (its log's tail in the message) or is not ready in time
     */
    static NodeGroup start(NodeConfig config, int count, Path dir, String heap, Properties kafka, int partitions, Duration limit)
            throws IOException, InterruptedException {
        Path file = dir.resolve(config.pipeline() + ".conf");
        Files.writeString(file, config.hocon(), StandardCharsets.UTF_8);
        NodeGroup group = new NodeGroup(config);
        try (Admin admin = Admin.create(kafka)) {
            for (int i = 1; i <= count; i++) {
                group.nodes.add(NodeProcess.start(file, dir.resolve(config.pipeline() + "-node" + i + ".log"), heap));
                group.awaitReady(admin, partitions, limit);
            }
            return group;
        } catch (IOException | InterruptedException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** Input partitions each member of the group held when it was ready, e.g. {@code [2, 2]}. */
    List<Integer> held() {
        return held;
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

    /** New assignments and pipeline restarts the nodes logged since the group was ready: 0 when it served as it was formed. */
    int disruptionsSinceReady() throws IOException {
        int d = 0;
        for (int i = 0; i < nodes.size(); i++) {
            d += events(nodes.get(i)) - eventsWhenReady[i];
        }
        return d;
    }

    private void awaitReady(Admin admin, int partitions, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String dead = deadNode();
            if (dead != null) {
                throw new IllegalStateException(dead);
            }
            List<List<Integer>> assigned = stableAssignment(admin, partitions);
            if (assigned != null && assigned.equals(servedByNodes())) {
                held = assigned.stream().map(List::size).sorted().toList();
                eventsWhenReady = new int[nodes.size()];
                for (int i = 0; i < nodes.size(); i++) {
                    eventsWhenReady[i] = events(nodes.get(i));
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + nodes.size() + " node(s) of pipeline " + config.pipeline() + " did not serve the group's"
                        + " assignment " + assigned + " within " + limit.toSeconds() + " s (they serve " + servedByNodes() + "); logs: "
                        + nodes.stream().map(NodeProcess::log).toList());
            }
            // A benchmark's wait for other processes, not a test's: nothing to block on.
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
    }

    /**
     * The partitions each node's pipeline serves now, sorted: those it was given less those revoked
     * since, or null for a node that has none yet, or whose pipeline restarted since.
     */
    private List<List<Integer>> servedByNodes() throws IOException {
        List<List<Integer>> served = new ArrayList<>();
        for (NodeProcess n : nodes) {
            java.util.TreeSet<Integer> now = null;
            if (n.running()) {
                for (String line : Files.readAllLines(n.log(), StandardCharsets.UTF_8)) {
                    int i = line.indexOf(SERVING);
                    java.util.regex.Matcher revoked = REVOKED.matcher(line);
                    if (i >= 0) {
                        now = now == null ? new java.util.TreeSet<>() : now;
                        now.addAll(parse(line.substring(i + SERVING.length(), line.indexOf(']', i))));
                    } else if (revoked.find() && now != null) {
                        now.remove(Integer.parseInt(revoked.group(1)));
                    } else if (line.contains(RESTARTING)) {
                        now = null;
                    }
                }
            }
            served.add(now == null || now.isEmpty() ? null : List.copyOf(now));
        }
        return sorted(served);
    }

    /** Partitions of the input topic per member, sorted, once the group is stable with one member per node holding every partition; else null. */
    private List<List<Integer>> stableAssignment(Admin admin, int partitions) throws InterruptedException {
        ConsumerGroupDescription g;
        try {
            g = admin.describeConsumerGroups(List.of(config.groupId())).all().get(30, TimeUnit.SECONDS).get(config.groupId());
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
        if (g.state() != ConsumerGroupState.STABLE || g.members().size() != nodes.size()) {
            return null;
        }
        List<List<Integer>> assigned = new ArrayList<>();
        int all = 0;
        for (MemberDescription m : g.members()) {
            List<Integer> mine = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(config.inputTopic()))
                    .map(TopicPartition::partition).sorted().toList();
            if (mine.isEmpty()) {
                return null;
            }
            all += mine.size();
            assigned.add(mine);
        }
        return all == partitions ? sorted(assigned) : null;
    }

    private static int events(NodeProcess n) throws IOException {
        int count = 0;
        for (String line : Files.readAllLines(n.log(), StandardCharsets.UTF_8)) {
            if (line.contains(SERVING) || line.contains(RESTARTING) || REVOKED.matcher(line).find()) {
                count++;
            }
        }
        return count;
    }

    private static List<Integer> parse(String list) {
        List<Integer> out = new ArrayList<>();
        for (String p : list.split(",")) {
            if (!p.isBlank()) {
                out.add(Integer.parseInt(p.trim()));
            }
        }
        return out.stream().sorted().toList();
    }

    /** The lists in a fixed order (a null list, a node without partitions, first), so two views of one assignment compare equal. */
    private static List<List<Integer>> sorted(List<List<Integer>> lists) {
        List<List<Integer>> out = new ArrayList<>(lists);
        out.sort((a, b) -> a == null ? (b == null ? 0 : -1) : b == null ? 1 : a.toString().compareTo(b.toString()));
        return out;
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
