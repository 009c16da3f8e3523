package io.ctta.benchmarks.nodes;

import io.ctta.benchmarks.BrokerProcess;
import io.ctta.benchmarks.CpuTime;
import io.ctta.benchmarks.Machine;
import io.ctta.streams.record.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * {@code ctta bench scale-nodes}: samples/s of one {@code ctta run} process against N processes
 * on the same machine, serving the same stream: one pipeline with {@code scope = partition} over
 * an input topic of P partitions, shared through its consumer group, checkpoints in Kafka.
 *
 * <p>The broker runs in a child JVM ({@link BrokerProcess}) unless one is given; each node is a
 * child JVM running {@code ctta run} ({@link NodeProcess}). Per measurement: a new pipeline name
 * (so a new consumer group, checkpoints and predictions topic) and a new input topic; the N nodes
 * are started one after the other, each once the group of those before it is stable and each of
 * them serves its partitions ({@link NodeGroup}); only then is the topic filled ({@link StreamTopic}) with the stream's bytes, encoded once for all
 * measurements. Samples/s run from the first prediction to the last ({@code processedAtMs}, one
 * clock: the nodes share the machine), read from the predictions topic afterwards; the CPU each
 * node used runs from the fill to the last prediction written. Node counts alternate in order
 * from round to round, so a drift of the machine's load does not always favour the same count.
 */
public final class NodesBench {

    /**
     * @param modelThreads model threads per node (its model dispatcher), 0 = auto ({@link NodeConfig#threads})
     * @param intraOpThreads operator threads per model thread, 0 = auto
     * @param weights parameters of the built-in CNN, or null for the seeded initialisation (a TENT step costs the same)
     * @param bootstrap a running broker, or null to start the embedded one as a child JVM
     * @param work where configs and node logs go, or null for a new temporary directory
     */
    public record Options(String strategy, List<Integer> nodes, int partitions, int samplesPerDomain, int batchSize, int modelThreads,
            int intraOpThreads, String nodeHeap, int rounds, long seed, Path data, Path weights, String bootstrap, Path work) {
        public Options {
            if (nodes.isEmpty() || nodes.stream().anyMatch(n -> n < 1)) {
                throw new IllegalArgumentException("--nodes: counts of at least 1, e.g. 1,2; got " + nodes);
            }
            if (partitions < nodes.stream().mapToInt(Integer::intValue).max().orElseThrow()) {
                throw new IllegalArgumentException("--partitions must be at least the largest node count (" + nodes
                        + "): a node without a partition serves nothing; got " + partitions);
            }
            if (samplesPerDomain < 1 || batchSize < 2 || rounds < 1 || modelThreads < 0 || intraOpThreads < 0) {
                throw new IllegalArgumentException("--samples-per-domain and --rounds must be at least 1, --batch at least 2,"
                        + " --model-threads and --intra-op-threads 0 (auto) or more");
            }
            if (!nodeHeap.matches("[0-9]+[kKmMgG]?")) {
                throw new IllegalArgumentException("--node-heap: a JVM heap size such as 1g or 768m; got " + nodeHeap);
            }
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * One measurement: {@code nodes} processes over the whole stream.
     *
     * @param held input partitions each node held, e.g. {@code [2, 2]}
     * @param wallSeconds from the fill's start to the last prediction written (what the CPU figures are over)
     * @param cpuPerNode CPU seconds of each node over {@code wallSeconds}
     * @param brokerCpuSeconds the broker's CPU time over {@code wallSeconds}, or -1 (a broker not started here)
     * @param fillSeconds how long filling the input topic took (while the nodes already served it)
     * @param disruptions new assignments and pipeline restarts the nodes logged during the measurement (0 when the
     *     group served as it was formed)
     */
    public record Row(int round, int nodes, List<Integer> held, int modelThreads, int intraOpThreads, long records, long predictions,
            long distinct, long spanMs, double wallSeconds, List<Double> cpuPerNode, double brokerCpuSeconds, double fillSeconds,
            int disruptions) {
        public double samplesPerSecond() {
            return distinct * 1000.0 / Math.max(1, spanMs);
        }

        public Row {
            held = List.copyOf(held);
            cpuPerNode = List.copyOf(cpuPerNode);
        }

        /** CPU seconds of all nodes together. */
        public double nodeCpuSeconds() {
            return cpuPerNode.stream().mapToDouble(Double::doubleValue).sum();
        }

        /** Cores the nodes used together, on average. */
        public double coresUsed() {
            return nodeCpuSeconds() / wallSeconds;
        }

        /** Samples per CPU-second of the nodes: what the work costs, whatever share of the machine it got. */
        public double samplesPerCpuSecond() {
            return distinct / nodeCpuSeconds();
        }
    }

    private static final Duration READY_LIMIT = Duration.ofMinutes(5);
    private static final Duration STALL_LIMIT = Duration.ofMinutes(2);

    private final Options options;
    private final PrintStream out;

    public NodesBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public List<Row> run() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Path work = options.work() != null ? Files.createDirectories(options.work()) : Files.createTempDirectory("ctta-bench-nodes-");
        StreamTopic stream = StreamTopic.of(options.data(), options.samplesPerDomain(), options.partitions(), options.seed());
        out.printf(Locale.ROOT, "machine: %s; load average %s%n", Machine.describe(), loadAverage());
        out.printf(Locale.ROOT, "stream: %d records (Fashion-MNIST-C, severity 5, %d per corruption) over %d partitions; strategy %s,"
                + " scope = partition, batch %d; configs and node logs in %s%n", stream.records(), options.samplesPerDomain(),
                options.partitions(), options.strategy(), options.batchSize(), work);
        List<Row> rows = new ArrayList<>();
        BrokerProcess broker = null;
        try {
            String bootstrap = options.bootstrap();
            if (bootstrap == null) {
                broker = BrokerProcess.start("1g");
                bootstrap = broker.bootstrapServers();
                out.printf("broker: the embedded broker in a child JVM (pid %d, -Xmx1g) at %s; log %s%n", broker.pid(), bootstrap, broker.log());
            } else {
                out.println("broker: " + bootstrap + " (given with --bootstrap)");
            }
            Properties kafka = new Properties();
            kafka.put("bootstrap.servers", bootstrap);
            try (KafkaProducer<byte[], byte[]> producer = StreamTopic.producer(kafka)) {
                // One fill nobody reads: the producer's connections, classes and code paths are warm
                // before the first measurement's fill, which overlaps its first predictions.
                String warmUp = "scale-nodes-warm-up-" + System.currentTimeMillis();
                stream.create(kafka, warmUp);
                stream.fill(producer, warmUp);
                rounds(new Setup(stream, kafka, bootstrap, broker, producer, work, cores), rows);
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
        return rows;
    }

    /** What every measurement of a run shares. */
    private record Setup(StreamTopic stream, Properties kafka, String bootstrap, BrokerProcess broker, KafkaProducer<byte[], byte[]> producer,
            Path work, int cores) {}

    private void rounds(Setup setup, List<Row> rows) throws Exception {
        for (int round = 1; round <= options.rounds(); round++) {
            List<Integer> order = new ArrayList<>(options.nodes());
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (int n : order) {
                Row r = measure(round, n, setup);
                rows.add(r);
                out.println(line(r, rows));
            }
        }
    }

    private Row measure(int round, int n, Setup setup) throws Exception {
        int[] threads = NodeConfig.threads(setup.cores(), n, options.partitions(), options.modelThreads(), options.intraOpThreads());
        StreamTopic stream = setup.stream();
        Properties kafka = setup.kafka();
        BrokerProcess broker = setup.broker();
        String name = "scale-nodes-" + n + "-r" + round + "-" + System.currentTimeMillis();
        String input = name + ".in";
        stream.create(kafka, input);
        NodeConfig config = new NodeConfig(setup.bootstrap(), name, input, options.strategy(), options.batchSize(), threads[0], threads[1],
                options.weights());
        try (NodeGroup group = NodeGroup.start(config, n, setup.work(), options.nodeHeap(), kafka, stream.partitions(), READY_LIMIT)) {
            List<Integer> held = group.held();
            long[] cpu0 = group.cpuNanos();
            long broker0 = broker == null ? -1 : CpuTime.ofProcess(broker.pid());
            long t0 = System.nanoTime();
            stream.fill(setup.producer(), input);
            double fillSeconds = (System.nanoTime() - t0) / 1e9;
            PredictionsTopic predictions = new PredictionsTopic(kafka, Topics.predictions(name));
            predictions.awaitAtLeast(stream.records(), STALL_LIMIT, group::deadNode);
            long t1 = System.nanoTime();
            long[] cpu1 = group.cpuNanos();
            long broker1 = broker == null ? -1 : CpuTime.ofProcess(broker.pid());
            int extra = group.disruptionsSinceReady();
            PredictionsTopic.Tally tally = predictions.tally();
            // At-least-once: after a rebalance a prediction may be written twice, so the count can be
            // reached with a record still unserved; wait for as many more as records are missing.
            while (tally.distinct() < stream.records()) {
                predictions.awaitAtLeast(tally.predictions() + stream.records() - tally.distinct(), STALL_LIMIT, group::deadNode);
                t1 = System.nanoTime();
                cpu1 = group.cpuNanos();
                broker1 = broker == null ? -1 : CpuTime.ofProcess(broker.pid());
                extra = group.disruptionsSinceReady();
                tally = predictions.tally();
            }
            List<Double> nodeCpu = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                nodeCpu.add((cpu1[i] - cpu0[i]) / 1e9);
            }
            return new Row(round, n, held, threads[0], threads[1], stream.records(), tally.predictions(), tally.distinct(), tally.spanMs(),
                    (t1 - t0) / 1e9, nodeCpu, broker0 < 0 || broker1 < 0 ? -1 : (broker1 - broker0) / 1e9, fillSeconds, extra);
        }
    }

    /** The Markdown table of {@code rows}, each compared with the one-node row of its round. */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| round | nodes | partitions per node | threads per node (model x operator) | records | predictions | seconds"
                + " | samples/s | vs 1 node | cores used by the nodes | samples per node CPU-s | broker CPU-s | rebalances or restarts |\n");
        b.append("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Row base = baseline(r, rows);
            b.append(String.format(Locale.ROOT, "| %d | %d | %s | %d x %d | %d | %d | %.2f | %.0f | %s | %.2f | %.0f | %s | %d |%n", r.round(), r.nodes(),
                    r.held().stream().map(String::valueOf).collect(Collectors.joining(" + ")), r.modelThreads(), r.intraOpThreads(), r.records(),
                    r.predictions(), r.spanMs() / 1e3, r.samplesPerSecond(),
                    base == null ? "" : String.format(Locale.ROOT, "%.2fx", r.samplesPerSecond() / base.samplesPerSecond()), r.coresUsed(),
                    r.samplesPerCpuSecond(), r.brokerCpuSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.brokerCpuSeconds()),
                    r.disruptions()));
        }
        return b.toString();
    }

    /** For each node count above 1: the median over the rounds of its samples/s over one node's, and each round's ratio. */
    public static String summary(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        rows.stream().mapToInt(Row::nodes).filter(n -> n > 1).distinct().sorted().forEach(n -> {
            List<Double> ratios = new ArrayList<>();
            for (Row r : rows) {
                Row base = baseline(r, rows);
                if (r.nodes() == n && base != null) {
                    ratios.add(r.samplesPerSecond() / base.samplesPerSecond());
                }
            }
            if (!ratios.isEmpty()) {
                b.append(String.format(Locale.ROOT, "%d nodes / 1 node: %.2fx samples/s (median of %d round(s): %s)%n", n, median(ratios),
                        ratios.size(), ratios.stream().map(x -> String.format(Locale.ROOT, "%.2fx", x)).collect(Collectors.joining(", "))));
            }
        });
        return b.toString();
    }

    /** The one-node row of {@code r}'s round, or null when one node was not measured. */
    private static Row baseline(Row r, List<Row> rows) {
        return rows.stream().filter(c -> c.round() == r.round() && c.nodes() == 1).findFirst().orElse(null);
    }

    private static String line(Row r, List<Row> rows) {
        Row base = baseline(r, rows);
        return String.format(Locale.ROOT, "round %d, %d node(s) holding %s partitions, %d x %d threads each: %d of %d records predicted"
                        + " (%d predictions) in %.2f s = %.0f samples/s%s; nodes used %.2f cores (CPU s %s), filled in %.2f s, %d rebalance(s) or restart(s)",
                r.round(), r.nodes(), r.held(), r.modelThreads(), r.intraOpThreads(), r.distinct(), r.records(), r.predictions(), r.spanMs() / 1e3,
                r.samplesPerSecond(), base == null || base == r ? "" : String.format(Locale.ROOT, " (%.2fx one node)", r.samplesPerSecond() / base.samplesPerSecond()),
                r.coresUsed(), r.cpuPerNode().stream().map(c -> String.format(Locale.ROOT, "%.1f", c)).collect(Collectors.joining(" + ")),
                r.fillSeconds(), r.disruptions());
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
