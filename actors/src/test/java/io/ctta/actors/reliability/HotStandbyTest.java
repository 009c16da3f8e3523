package io.ctta.actors.reliability;

import static io.ctta.actors.reliability.ReliabilityKit.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.actors.health.PipelineState;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
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
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code standby = true} (scope = pipeline): two processes with the same config share one lease
 * (the one partition of {@code <pipeline>.lease}); only its holder has a model and serves, the
 * other stands by without claiming the checkpoints, and takes over from the last checkpoint when
 * the holder closes (at once, after its final checkpoint) or is killed (after the session timeout).
 */
class HotStandbyTest {

    private static final int PARTITIONS = 3;
    private static final int FIRST = 1_000;
    private static final int RECORDS = 3_000;

    /**
     * Two runtimes in one JVM on one checkpoint directory. A starts first and serves; B joins the
     * lease group and stands by: STANDBY, no prediction, no owner epoch claimed, while A serves on.
     * A is closed mid-stream (drain, final checkpoint, lease released); B takes over: every record
     * has a prediction and B's final checkpoint, resumed from A's, counts each record applied once.
     */
    @Test
    void onlyTheLeaseHolderServesAndTheStandbyTakesOverWhenItCloses(@TempDir Path ckpt) throws Exception {
        String name = "hs";
        String input = "hs.in";
        Path gate = ckpt.resolve("go-fast");
        String extra = "standby = true, strategy-settings { delay-ms = 100, gate = \"" + gate + "\" }";
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null); Admin admin = admin(kafka)) {
            kafka.createTopics(PARTITIONS, input);
            Set<String> ids = new HashSet<>(ReliabilityKit.produceFloat32(kafka, input, 0, FIRST, PARTITIONS));
            FileCheckpointStore store = new FileCheckpointStore(ckpt, name);
            Map<String, Integer> seen = new HashMap<>();
            CttaRuntime a = ReliabilityKit.start(kafka, ckpt, name, input, "slow", 128, "200ms", extra);
            CttaRuntime b = null;
            long epochA;
            double servedByA;
            double servedByB;
            try (KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(name), false)) {
                ReliabilityKit.collectUntil(predictions, seen, () -> counter(a, "ctta.predictions", name) >= 320 && latest(store) != null,
                        Duration.ofSeconds(60), "A to serve 320 records and write a checkpoint");
                assertEquals(PipelineState.RUNNING, state(a, name), "A, alone, holds the lease");
                epochA = store.currentEpoch();

                b = ReliabilityKit.start(kafka, ckpt, name, input, "slow", 128, "200ms", extra);
                CttaRuntime standby = b;
                awaitCondition(() -> {
                    ReliabilityKit.pollPredictions(predictions, seen);
                    return leaseMembers(admin, name) == 2;
                }, Duration.ofSeconds(60), "B to join the lease group");
                ids.addAll(ReliabilityKit.produceFloat32(kafka, input, FIRST, RECORDS - FIRST, PARTITIONS));
                double atJoin = counter(a, "ctta.predictions", name);
                ReliabilityKit.collectUntil(predictions, seen, () -> counter(a, "ctta.predictions", name) >= atJoin + 128,
                        Duration.ofSeconds(60), "A to serve on with B in the lease group");
                assertEquals(PipelineState.STANDBY, state(standby, name), "B stands by");
                assertEquals(0, counter(standby, "ctta.predictions", name), "B predicted nothing while standing by");
                assertEquals(epochA, store.currentEpoch(), "B claimed no owner epoch: it would have fenced A");

                servedByA = counter(a, "ctta.predictions", name);
                a.close(); // drains, writes the final checkpoint, then leaves the lease group
                assertTrue(servedByA < RECORDS, "A closed mid-stream (" + servedByA + " of " + RECORDS + " served)");
                awaitCondition(() -> {
                    ReliabilityKit.pollPredictions(predictions, seen);
                    return state(standby, name) == PipelineState.RUNNING;
                }, Duration.ofSeconds(60), "B to take over");
                Files.createFile(gate);
                ReliabilityKit.collectUntil(predictions, seen, () -> seen.keySet().containsAll(ids), Duration.ofSeconds(90),
                        "a prediction for every record");
                servedByB = counter(standby, "ctta.predictions", name);
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
            Map<String, Integer> all = ReliabilityKit.allPredictions(kafka, Topics.predictions(name));
            Checkpoint last = latest(store);
            System.out.printf("hot standby (in-process): A had served %.0f when it was closed mid-stream; B took over and served %.0f; %d predictions for %d"
                    + " records (%d duplicates); final checkpoint e%d (A's epoch %d) applied %d%n", servedByA, servedByB,
                    all.values().stream().mapToLong(n -> n).sum(), all.size(), all.values().stream().mapToLong(n -> n - 1).sum(),
                    last.ownerEpoch(), epochA, last.recordsApplied());
            assertEquals(ids, all.keySet(), "every record has a prediction");
            assertTrue(servedByB > 0, "B served after the take-over");
            assertTrue(last.ownerEpoch() > epochA, "the last checkpoint is B's");
            assertEquals(RECORDS, last.recordsApplied(), "each record applied exactly once across the two processes");
        }
    }

    /**
     * The holder loses its lease while it runs on (its lease member removed from the group, as a
     * coordinator does when a session expires): it hands over with a final checkpoint (or is fenced
     * by the new holder's claim first) and stands by again, in the group again; the other process
     * takes over. Every record has a prediction and each is applied once. Static membership
     * ({@code group-instance-id}, one per process) names the member to remove; when B closes, its
     * static lease member leaves the group at once and A takes the lease back.
     */
    @Test
    void aHolderThatLosesTheLeaseHandsOverAndStandsByAgain(@TempDir Path ckpt) throws Exception {
        String name = "hl";
        String input = "hl.in";
        Path gate = ckpt.resolve("go-fast");
        String extra = "standby = true, strategy-settings { delay-ms = 100, gate = \"" + gate + "\" }, group-instance-id = node-";
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null); Admin admin = admin(kafka)) {
            kafka.createTopics(PARTITIONS, input);
            Set<String> ids = new HashSet<>(ReliabilityKit.produceFloat32(kafka, input, 0, FIRST, PARTITIONS));
            FileCheckpointStore store = new FileCheckpointStore(ckpt, name);
            Map<String, Integer> seen = new HashMap<>();
            CttaRuntime a = ReliabilityKit.start(kafka, ckpt, name, input, "slow", 128, "200ms", extra + "a");
            CttaRuntime b = null;
            long epochA;
            double servedByA;
            try (KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(name), false)) {
                ReliabilityKit.collectUntil(predictions, seen, () -> counter(a, "ctta.predictions", name) >= 320 && latest(store) != null,
                        Duration.ofSeconds(60), "A to serve 320 records and write a checkpoint");
                epochA = store.currentEpoch();
                b = ReliabilityKit.start(kafka, ckpt, name, input, "slow", 128, "200ms", extra + "b");
                CttaRuntime other = b;
                awaitCondition(() -> {
                    ReliabilityKit.pollPredictions(predictions, seen);
                    return leaseMembers(admin, name) == 2;
                }, Duration.ofSeconds(60), "B to join the lease group");
                ids.addAll(ReliabilityKit.produceFloat32(kafka, input, FIRST, RECORDS - FIRST, PARTITIONS));
                double atJoin = counter(a, "ctta.predictions", name);
                ReliabilityKit.collectUntil(predictions, seen, () -> counter(a, "ctta.predictions", name) >= atJoin + 128,
                        Duration.ofSeconds(60), "A to serve on with B in the lease group");
                assertEquals(PipelineState.STANDBY, state(other, name), "B stands by");

                String group = "ctta-" + name + "-lease";
                admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                        List.of(new MemberToRemove("node-a-" + name + "-lease")))).all().get(10, TimeUnit.SECONDS);
                awaitCondition(() -> {
                    ReliabilityKit.pollPredictions(predictions, seen);
                    return state(a, name) == PipelineState.STANDBY && state(other, name) == PipelineState.RUNNING && leaseMembers(admin, name) == 2;
                }, Duration.ofSeconds(60), "A to hand over and stand by, in the lease group again, and B to serve");
                servedByA = counter(a, "ctta.predictions", name);
                assertTrue(servedByA < RECORDS, "A lost the lease mid-stream (" + servedByA + " of " + RECORDS + " served)");
                Files.createFile(gate);
                ReliabilityKit.collectUntil(predictions, seen, () -> seen.keySet().containsAll(ids), Duration.ofSeconds(90),
                        "a prediction for every record");
                assertEquals(PipelineState.STANDBY, state(a, name), "A still stands by");
                // A static member does not leave its group on close by itself; the lease removes it, so
                // the standby need not wait out B's session.
                other.close();
                assertEquals(1, leaseMembers(admin, name), "B's static lease member left the group when B closed");
                awaitCondition(() -> state(a, name) == PipelineState.RUNNING, Duration.ofSeconds(60), "A to take the lease back");
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
            Map<String, Integer> all = ReliabilityKit.allPredictions(kafka, Topics.predictions(name));
            Checkpoint last = latest(store);
            System.out.printf("hot standby (lease lost): A had served %.0f when it stood by; %d predictions for %d records (%d duplicates);"
                    + " final checkpoint e%d (A's epoch %d) applied %d%n", servedByA, all.values().stream().mapToLong(n -> n).sum(), all.size(), all.values().stream().mapToLong(n -> n - 1).sum(),
                    last.ownerEpoch(), epochA, last.recordsApplied());
            assertEquals(ids, all.keySet(), "every record has a prediction");
            assertTrue(last.ownerEpoch() > epochA, "the last checkpoint is B's");
            assertEquals(RECORDS, last.recordsApplied(), "each record applied exactly once across the hand-over");
        }
    }

    /**
     * Two worker JVMs; the active one is killed with SIGKILL mid-stream. The standby takes the
     * lease when the dead member's session (6 s) expires, resumes from the killed one's last
     * checkpoint (rewinding the records it served after it), and serves the rest. The take-over
     * time (SIGKILL to the first prediction the standby made) is printed.
     */
    @Test
    void theStandbyTakesOverFromAKilledProcessAfterTheSessionTimeout(@TempDir Path dir) throws Exception {
        String name = "hk";
        String input = "hk.in";
        Path gate = dir.resolve("go-fast");
        Path ckpt = dir.resolve("ckpt");
        Files.createDirectories(ckpt);
        List<Process> workers = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null); Admin admin = admin(kafka)) {
            kafka.createTopics(PARTITIONS, input);
            Set<String> ids = new HashSet<>(ReliabilityKit.produceFloat32(kafka, input, 0, FIRST, PARTITIONS));
            FileCheckpointStore store = new FileCheckpointStore(ckpt, name);
            Map<String, Integer> seen = new HashMap<>();
            List<PredictionRecord> received = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(name), false)) {
                Process a = worker(kafka, dir, ckpt, gate, name, input, "a");
                workers.add(a);
                await(predictions, seen, received, () -> seen.size() >= 320 && latest(store) != null, "A to serve 320 records and write a checkpoint");
                long epochA = store.currentEpoch();
                workers.add(worker(kafka, dir, ckpt, gate, name, input, "b"));
                await(predictions, seen, received, () -> leaseMembers(admin, name) == 2, "B to join the lease group");
                ids.addAll(ReliabilityKit.produceFloat32(kafka, input, FIRST, RECORDS - FIRST, PARTITIONS));
                int atJoin = seen.size();
                await(predictions, seen, received, () -> seen.size() >= atJoin + 128, "A to serve on with B standing by");
                assertEquals(epochA, store.currentEpoch(), "the standby claimed no owner epoch");
                long appliedAtKill = latest(store).recordsApplied();

                int predictedAtKill = seen.size();
                a.destroyForcibly(); // SIGKILL: its lease stays held until its session expires
                long killedMs = System.currentTimeMillis();
                assertTrue(a.waitFor(60, TimeUnit.SECONDS), "the killed worker exits");
                long deadMs = System.currentTimeMillis();
                workers.remove(a);
                assertTrue(predictedAtKill < RECORDS, "the kill happened mid-stream");
                await(predictions, seen, received, () -> received.stream().anyMatch(r -> r.processedAtMs() > deadMs), "B to take over");
                double takeoverSeconds = (received.stream().mapToLong(PredictionRecord::processedAtMs).filter(t -> t > deadMs).min().orElseThrow()
                        - killedMs) / 1e3;
                Files.createFile(gate);
                await(predictions, seen, received, () -> seen.keySet().containsAll(ids), "a prediction for every record");
                for (Process p : workers) {
                    p.destroy(); // SIGTERM: drain and write the final checkpoint
                    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the standby stops within 90 s of SIGTERM");
                }
                Map<String, Integer> all = ReliabilityKit.allPredictions(kafka, Topics.predictions(name));
                Checkpoint last = latest(store);
                System.out.printf("hot standby (SIGKILL): session-timeout 6 s; first prediction of the standby %.1f s after the SIGKILL;"
                        + " A had %d predictions out and a checkpoint of %d records; %d predictions for %d records (%d duplicates);"
                        + " final checkpoint e%d (A's epoch %d) applied %d%n", takeoverSeconds, predictedAtKill, appliedAtKill,
                        all.values().stream().mapToLong(n -> n).sum(), all.size(), all.values().stream().mapToLong(n -> n - 1).sum(),
                        last.ownerEpoch(), epochA, last.recordsApplied());
                assertEquals(ids, all.keySet(), "every record has a prediction");
                assertTrue(last.ownerEpoch() > epochA, "the last checkpoint is the standby's");
                assertEquals(RECORDS, last.recordsApplied(), "resumed from A's checkpoint: each record applied exactly once");
            } finally {
                for (Process p : workers) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static Process worker(EmbeddedKafka kafka, Path dir, Path ckpt, Path gate, String name, String input, String id)
            throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-Dai.djl.offline=true",
                "-D" + PipelineWorker.PIPELINE_PROPERTY + "=standby = true, max-latency = 200ms",
                "-Dctta.strategies.slow.delay-ms=100",
                "-Dctta.strategies.slow.gate=" + gate,
                "-cp", System.getProperty("java.class.path"),
                PipelineWorker.class.getName(), kafka.bootstrapServers(), input, name, ckpt.toString(), "slow"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(Path.of("target", "hot-standby-" + id + ".log").toFile())).start();
    }

    private static void await(KafkaConsumer<byte[], byte[]> c, Map<String, Integer> seen, List<PredictionRecord> received, BooleanSupplier done,
            String what) {
        PredictionCodec codec = new PredictionCodec();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + " (" + seen.size() + " distinct predictions)");
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                PredictionRecord p = codec.decode(r.value());
                seen.merge(p.id(), 1, Integer::sum);
                received.add(p);
            }
        }
    }

    private static PipelineState state(CttaRuntime runtime, String name) {
        return runtime.states().get(name).orElseThrow().state();
    }

    private static Checkpoint latest(FileCheckpointStore store) {
        try {
            return store.load().latest().orElse(null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return Admin.create(p);
    }

    /** Members of the pipeline's lease group (ctta-<name>-lease). */
    private static int leaseMembers(Admin admin, String name) {
        String group = "ctta-" + name + "-lease";
        try {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS).members().size();
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe group " + group, e);
        }
    }

    /** Evaluates {@code done} every 20 ms until it holds; fails after {@code limit}. */
    private static void awaitCondition(BooleanSupplier done, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }
}
