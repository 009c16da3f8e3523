package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.checkpoint.KafkaCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.PredictionCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three ctta processes on loopback share one partition-scoped pipeline over six partitions, with
 * their checkpoints in Kafka (no shared disk): two start, a third joins and takes partitions with
 * their models' checkpoints, then one is killed with SIGKILL mid-stream and the two left resume
 * its partitions' models from their checkpoints.
 */
class MultiNodePartitionTest {

    private static final String INPUT = "mn.in";
    private static final String NAME = "mn";
    private static final int PARTITIONS = 6;
    private static final int RECORDS = 3_000;
    private static final int FIRST = 1_200;

    @Test
    void threeProcessesShareSixPartitionsAndSurviveOneKilled(@TempDir Path dir) throws Exception {
        run(dir, "at-least-once");
    }

    /**
     * The same in exactly-once mode: each partition's model writes its outputs, its checkpoint
     * pointer and its input offsets in transactions of its own (transactional.id per partition), so
     * a read_committed consumer sees each record's prediction exactly once across the join and the kill.
     */
    @Test
    void exactlyOnceAcrossTheJoinAndTheKill(@TempDir Path dir) throws Exception {
        run(dir, "exactly-once");
    }

    private static void run(Path dir, String mode) throws Exception {
        boolean exactlyOnce = mode.equals("exactly-once");
        Path gate = dir.resolve("go-fast");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null); Admin admin = admin(kafka)) {
            kafka.createTopics(PARTITIONS, INPUT);
            // Two fifths first; the rest just before the kill, so the killed node leaves a backlog behind.
            Set<String> ids = new HashSet<>(ReliabilityKit.produceFloat32(kafka, INPUT, 0, FIRST, PARTITIONS));
            Map<String, Integer> seen = new HashMap<>();
            Map<Integer, Long> lastOffset = new HashMap<>();
            List<PredictionRecord> received = new ArrayList<>();
            List<Process> nodes = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(NAME), exactlyOnce)) {
                nodes.add(node(kafka, dir, gate, mode + "-a", mode));
                nodes.add(node(kafka, dir, gate, mode + "-b", mode));
                await(predictions, seen, lastOffset, received, () -> members(admin).size() == 2 && lastOffset.size() == PARTITIONS,
                        "two nodes serving all six partitions");
                nodes.add(node(kafka, dir, gate, mode + "-c", mode));
                await(predictions, seen, lastOffset, received, () -> owners(admin).values().stream().allMatch(n -> n == 2) && owners(admin).size() == 3 && servedBy(mode + "-b").size() == 2,
                        "the joining node to get two partitions");
                // The victim: node b; its partitions as the group assigned them (its log says the same).
                Process victim = nodes.get(1);
                Set<Integer> victimPartitions = servedBy(mode + "-b");
                assertEquals(2, victimPartitions.size(), "node b serves two partitions: " + victimPartitions);
                ids.addAll(ReliabilityKit.produceFloat32(kafka, INPUT, FIRST, RECORDS - FIRST, PARTITIONS));
                int predictedAtKill = seen.size();
                victim.destroyForcibly(); // SIGKILL
                long killedMs = System.currentTimeMillis();
                assertTrue(victim.waitFor(60, TimeUnit.SECONDS));
                long deadMs = System.currentTimeMillis();
                nodes.remove(victim);
                // Recovery: the first prediction of a killed node's partition made after it was dead (so by another node).
                await(predictions, seen, lastOffset, received,
                        () -> received.stream().anyMatch(r -> victimPartitions.contains(r.partition()) && r.processedAtMs() > deadMs),
                        "another node to serve a partition of the killed one");
                double recoverySeconds = (received.stream().filter(r -> victimPartitions.contains(r.partition()) && r.processedAtMs() > deadMs)
                        .mapToLong(PredictionRecord::processedAtMs).min().orElseThrow() - killedMs) / 1e3;
                assertTrue(predictedAtKill < RECORDS, "the kill happened mid-stream");
                Files.createFile(gate);
                await(predictions, seen, lastOffset, received, () -> seen.keySet().containsAll(ids), "a prediction for every record");
                for (Process p : nodes) {
                    p.destroy(); // SIGTERM: drain and write final checkpoints
                }
                for (Process p : nodes) {
                    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "a node stops within 90 s of SIGTERM");
                }
                Map<String, Integer> all = ReliabilityKit.allPredictions(kafka, Topics.predictions(NAME));
                long duplicates = all.values().stream().mapToLong(n -> n - 1).sum();
                assertEquals(ids, all.keySet(), "every record has a prediction");
                long committedDuplicates = -1;
                if (exactlyOnce) {
                    Map<String, Integer> committed = ReliabilityKit.predictionCounts(ReliabilityKit.readAll(kafka, Topics.predictions(NAME), true));
                    assertEquals(ids, committed.keySet(), "read_committed: every record has a prediction");
                    committedDuplicates = committed.values().stream().mapToLong(n -> n - 1).sum();
                    assertEquals(0, committedDuplicates, "read_committed: no record predicted twice");
                }
                for (int p = 0; p < PARTITIONS; p++) {
                    Checkpoint last = new KafkaCheckpointStore(clientProperties(kafka), "ctta-checkpoint-store", NAME + "-p" + p, 3)
                            .load().latest().orElseThrow();
                    assertEquals(RECORDS / PARTITIONS, last.recordsApplied(), "partition " + p + ": each record applied once by its model");
                }
                System.out.printf("multi-node (%s): partitions %s of the killed node; first new prediction on a new owner %.1f s after SIGKILL;"
                        + " %d predictions for %d records (%d duplicates in the topic, %d read_committed)%n",
                        mode, victimPartitions, recoverySeconds, all.values().stream().mapToLong(n -> n).sum(), all.size(), duplicates,
                        committedDuplicates);
            } finally {
                for (Process p : nodes) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static Process node(EmbeddedKafka kafka, Path dir, Path gate, String id, String mode) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-Dai.djl.offline=true", "-Dio.ctta.test.node=" + id,
                "-D" + PipelineWorker.PIPELINE_PROPERTY + "=scope = partition, batch-size = 16, max-latency = 200ms",
                "-Dctta.checkpoints.store=kafka",
                "-Dctta.strategies.slow.delay-ms=120",
                "-Dctta.strategies.slow.gate=" + gate,
                "-cp", System.getProperty("java.class.path"),
                PipelineWorker.class.getName(), kafka.bootstrapServers(), INPUT, NAME, dir.resolve("unused").toString(), "slow", mode));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                // Under target/, so that a failed run's node logs stay for reading.
                .redirectOutput(ProcessBuilder.Redirect.to(log(id).toFile())).start();
    }

    private static void await(KafkaConsumer<byte[], byte[]> c, Map<String, Integer> seen, Map<Integer, Long> lastOffset,
            List<PredictionRecord> received, BooleanSupplier done, String what) {
        PredictionCodec codec = new PredictionCodec();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + " (" + seen.size() + " distinct predictions)");
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                PredictionRecord p = codec.decode(r.value());
                seen.merge(p.id(), 1, Integer::sum);
                lastOffset.merge(p.partition(), p.offset(), Math::max);
                received.add(p);
            }
        }
    }

    private static Properties clientProperties(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return p;
    }

    private static Admin admin(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return Admin.create(p);
    }

    private static List<MemberDescription> members(Admin admin) {
        try {
            return new ArrayList<>(admin.describeConsumerGroups(List.of("ctta-" + NAME)).all().get(10, TimeUnit.SECONDS).get("ctta-" + NAME).members());
        } catch (Exception e) {
            return List.of();
        }
    }

    /** Input partitions per member (consumer id). */
    private static Map<String, Set<Integer>> assignment(Admin admin) {
        Map<String, Set<Integer>> out = new HashMap<>();
        for (MemberDescription m : members(admin)) {
            Set<Integer> parts = new HashSet<>();
            for (TopicPartition tp : m.assignment().topicPartitions()) {
                if (tp.topic().equals(INPUT)) {
                    parts.add(tp.partition());
                }
            }
            out.put(m.consumerId(), parts);
        }
        return out;
    }

    private static Map<String, Integer> owners(Admin admin) {
        Map<String, Integer> out = new HashMap<>();
        assignment(admin).forEach((member, parts) -> out.put(member, parts.size()));
        return out;
    }

    /**
     * The partitions a node serves now, from its log: each "serving partitions [...]" line adds the
     * partitions it was given, each "partition N revoked" line takes one away.
     */
    private static Set<Integer> servedBy(String node) {
        Set<Integer> out = new HashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(log(node));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        java.util.regex.Pattern revoked = java.util.regex.Pattern.compile("partition (\\d+) revoked");
        for (String line : lines) {
            int i = line.indexOf("serving partitions [");
            if (i >= 0) {
                String list = line.substring(i + "serving partitions [".length(), line.indexOf(']', i));
                for (String p : list.split(",\\s*")) {
                    if (!p.isBlank()) {
                        out.add(Integer.parseInt(p.trim()));
                    }
                }
            }
            java.util.regex.Matcher m = revoked.matcher(line);
            if (m.find()) {
                out.remove(Integer.parseInt(m.group(1)));
            }
        }
        return out;
    }

    private static Path log(String node) {
        return Path.of("target", "multi-node-" + node + ".log");
    }
}
