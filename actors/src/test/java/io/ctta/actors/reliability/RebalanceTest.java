package io.ctta.actors.reliability;

import static io.ctta.actors.reliability.ReliabilityKit.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.model.ModelActor;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Group membership changes mid-stream: a second consumer joins the pipeline's group and leaves
 * again, or a second owner of the same pipeline starts on the same checkpoint directory.
 */
class RebalanceTest {

    private static final int RECORDS = 3_000;
    private static final int PARTITIONS = 3;
    /** Service time per batch until the test opens the gate: slow enough to rebalance mid-stream. */
    private static final int DELAY_MS = 100;

    /**
     * A second consumer joins the pipeline's group and leaves; every record gets a prediction and
     * the model applies each record exactly once. A plain consumer (no commits) joins the group of
     * a pipeline serving a 3-partition topic, takes partitions away from it and fetches from them,
     * then closes; the pipeline gets them back and serves on. Every input id has a prediction
     * (duplicates allowed: at-least-once), and the final checkpoint's recordsApplied equals the
     * number of input records: no record was applied twice or skipped across the two rebalances.
     */
    @Test
    void aConsumerJoiningAndLeavingTheGroupLosesNoRecordAndAppliesNoneTwice(@TempDir Path ckpt) throws Exception {
        String name = "rb";
        String input = "rb.in";
        String group = "ctta-" + name;
        Path gate = ckpt.resolve("go-fast");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null); Admin admin = admin(kafka)) {
            kafka.createTopics(PARTITIONS, input);
            Set<String> ids = new HashSet<>(ReliabilityKit.produceFloat32(kafka, input, 0, RECORDS, PARTITIONS));
            Map<String, Integer> seen = new HashMap<>();
            Set<TopicPartition> stolen;
            int fetchedByIntruder = 0;
            long predictedWhenItLeft;
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, name, input, "slow", 256, "200ms",
                    "strategy-settings { delay-ms = " + DELAY_MS + ", gate = \"" + gate + "\" }");
                    KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(name), false)) {
                ReliabilityKit.collectUntil(predictions, seen, () -> counter(runtime, "ctta.predictions", name) >= 320,
                        Duration.ofSeconds(60), "the pipeline to serve 320 records");
                assertEquals(1, members(admin, group).size(), "the pipeline alone in its group");

                try (KafkaConsumer<byte[], byte[]> intruder = intruder(kafka, group, input)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    double servedAtJoin = counter(runtime, "ctta.predictions", name);
                    // Poll until it owns partitions, has fetched from them, and the pipeline served on meanwhile.
                    while (intruder.assignment().isEmpty() || fetchedByIntruder == 0
                            || counter(runtime, "ctta.predictions", name) < servedAtJoin + 128) {
                        assertTrue(System.nanoTime() < deadline, "the intruder got no partitions, or the pipeline stalled");
                        fetchedByIntruder += intruder.poll(Duration.ofMillis(100)).count();
                        ReliabilityKit.pollPredictions(predictions, seen);
                    }
                    stolen = Set.copyOf(intruder.assignment());
                    predictedWhenItLeft = (long) counter(runtime, "ctta.predictions", name);
                }
                // The pipeline owns all partitions again, still mid-stream; then it may serve at full speed.
                awaitCondition(() -> {
                    ReliabilityKit.pollPredictions(predictions, seen);
                    List<MemberDescription> m = members(admin, group);
                    return m.size() == 1 && m.get(0).assignment().topicPartitions().size() == PARTITIONS;
                }, Duration.ofSeconds(90), "the pipeline to own every partition again");
                assertTrue(predictedWhenItLeft < RECORDS, "the rebalance happened mid-stream");
                Files.createFile(gate);
                ReliabilityKit.collectUntil(predictions, seen, () -> seen.keySet().containsAll(ids), Duration.ofSeconds(60),
                        "a prediction for every record");
            }
            Map<String, Integer> all = ReliabilityKit.allPredictions(kafka, Topics.predictions(name));
            long duplicates = all.values().stream().mapToLong(n -> n - 1).sum();
            long applied = new FileCheckpointStore(ckpt, name).load().latest().orElseThrow().recordsApplied();
            System.out.printf("rebalance: intruder held %s and fetched %d records; the pipeline had predicted %d when it left; "
                    + "%d predictions for %d records (%d duplicates); final checkpoint applied %d%n",
                    stolen, fetchedByIntruder, predictedWhenItLeft, all.values().stream().mapToLong(n -> n).sum(), all.size(), duplicates, applied);
            assertFalse(stolen.isEmpty());
            assertEquals(ids, all.keySet(), "every record has a prediction");
            assertEquals(RECORDS, applied, "each record applied to the model exactly once across the rebalances");
        }
    }

    /**
     * A paused stale owner cannot write a checkpoint. Runtime A serves a pipeline with checkpoints
     * in directory D and is paused mid-batch; runtime B starts the same pipeline on the same D and
     * claims a newer owner epoch; then A resumes. From B's claim on, the checkpoint manifest never
     * gets an entry of A's epoch newer than those committed before the claim: A's next write is
     * refused (StaleOwnerException in its model actor) and A's pipeline stops. B serves the rest:
     * it ends up owning every partition, every input id has a prediction, and B's final
     * checkpoint, resumed from A's last one, counts every record applied exactly once.
     */
    @Test
    void aPausedStaleOwnerCannotWriteACheckpointOnceANewerOwnerClaimedThePipeline(@TempDir Path ckpt) throws Exception {
        String name = "so";
        String input = "so.in";
        String group = "ctta-" + name;
        Path gate = ckpt.resolve("go-fast");
        Path hold = ckpt.resolve("hold");
        // ask-timeout 10 s (default 60 s) keeps this test short: a stale owner whose model actor
        // stopped keeps its consumer in the group, holding its partitions, until the batch it had
        // asked the stopped actor for times out (PipelineSupervisor drains the graph on the model's
        // Terminated), then for the consumer's stop-timeout. The takeover time is printed.
        String extra = "ask-timeout = 10s, strategy-settings { delay-ms = " + DELAY_MS + ", gate = \"" + gate + "\", hold = \"" + hold + "\" }";
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger modelLog = (Logger) LoggerFactory.getLogger(ModelActor.class);
        log.start();
        modelLog.addAppender(log);
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null); Admin admin = admin(kafka)) {
            kafka.createTopics(PARTITIONS, input);
            Set<String> ids = new HashSet<>(ReliabilityKit.produceFloat32(kafka, input, 0, RECORDS, PARTITIONS));
            FileCheckpointStore store = new FileCheckpointStore(ckpt, name);
            Map<String, Integer> seen = new HashMap<>();
            CttaRuntime a = ReliabilityKit.start(kafka, ckpt, name, input, "slow", 128, "200ms", extra);
            long epochA;
            long epochB;
            long lastSequenceOfA;
            long takeoverMs;
            Set<CheckpointEntry> everCommitted = ConcurrentHashMap.newKeySet();
            try (KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(name), false)) {
                ReliabilityKit.collectUntil(predictions, seen, () -> counter(a, "ctta.predictions", name) >= 320 && !committed(store).isEmpty(),
                        Duration.ofSeconds(60), "A to serve 320 records and write a checkpoint");
                epochA = store.currentEpoch();
                List<MemberDescription> alone = members(admin, group);
                assertEquals(1, alone.size(), "A alone in the group");
                String memberA = alone.get(0).consumerId();
                watcher.scheduleWithFixedDelay(() -> everCommitted.addAll(committed(store)), 0, 5, TimeUnit.MILLISECONDS);
                Files.createFile(hold);
                awaitCondition(() -> Files.exists(ckpt.resolve("hold.held")), Duration.ofSeconds(90), "A's model to pause mid-batch");

                try (CttaRuntime b = ReliabilityKit.start(kafka, ckpt, name, input, "slow", 128, "200ms", extra)) {
                    awaitCondition(() -> currentEpoch(store) > epochA, Duration.ofSeconds(90), "B to claim an epoch");
                    epochB = store.currentEpoch();
                    // Claims and commits are serialised under the store's lock: whatever A committed
                    // before B's claim is in the manifest now, and nothing of A's may follow.
                    lastSequenceOfA = committed(store).stream().filter(e -> e.epoch() == epochA).mapToLong(CheckpointEntry::sequence).max().orElse(0);
                    Files.delete(hold); // A resumes, a stale owner now

                    awaitCondition(() -> {
                        ReliabilityKit.pollPredictions(predictions, seen);
                        return !pipelineRunning(a, name);
                    }, Duration.ofSeconds(90), "A's pipeline to stop");
                    long stopped = System.nanoTime();
                    Files.createFile(gate);
                    awaitCondition(() -> {
                        ReliabilityKit.pollPredictions(predictions, seen);
                        List<MemberDescription> m = members(admin, group);
                        return m.size() == 1 && !m.get(0).consumerId().equals(memberA)
                                && m.get(0).assignment().topicPartitions().size() == PARTITIONS;
                    }, Duration.ofSeconds(90), "B (not A) to own every partition");
                    takeoverMs = (System.nanoTime() - stopped) / 1_000_000;
                    ReliabilityKit.collectUntil(predictions, seen, () -> seen.keySet().containsAll(ids), Duration.ofSeconds(60),
                            "a prediction for every record");
                    assertTrue(counter(b, "ctta.predictions", name) > 0, "B served records");
                }
            } finally {
                a.close();
                watcher.shutdownNow();
                modelLog.detachAppender(log);
            }
            everCommitted.addAll(store.committed());
            Checkpoint last = store.load().latest().orElseThrow();
            List<CheckpointEntry> staleWrites = new ArrayList<>();
            for (CheckpointEntry e : everCommitted) {
                if (e.epoch() == epochA && e.sequence() > lastSequenceOfA) {
                    staleWrites.add(e);
                }
            }
            String refusal = "written under owner epoch " + epochA + " but epoch " + epochB + " has been claimed since";
            boolean refused = log.list.stream().anyMatch(ev -> ev.getFormattedMessage().contains(refusal));
            Map<String, Integer> all = ReliabilityKit.allPredictions(kafka, Topics.predictions(name));
            System.out.printf("stale owner: A epoch %d (last committed sequence %d), B epoch %d; manifest entries seen %d; A refused: %s; "
                    + "B owned every partition %d ms after A's pipeline stopped; %d predictions for %d records; final checkpoint e%d/s%d applied %d%n",
                    epochA, lastSequenceOfA, epochB, everCommitted.size(), refused, takeoverMs, all.values().stream().mapToLong(n -> n).sum(),
                    all.size(), last.ownerEpoch(), last.sequence(), last.recordsApplied());
            assertTrue(staleWrites.isEmpty(), "A committed checkpoints after B's claim: " + staleWrites);
            assertTrue(refused, "A's model actor had a checkpoint write refused as stale");
            assertEquals(ids, all.keySet(), "every record has a prediction");
            assertEquals(epochB, last.ownerEpoch(), "the newest checkpoint is B's");
            assertEquals(RECORDS, last.recordsApplied(), "each record applied exactly once across the two owners");
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return Admin.create(p);
    }

    private static List<MemberDescription> members(Admin admin, String group) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS);
            return List.copyOf(d.members());
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe group " + group, e);
        }
    }

    /** A plain consumer in the pipeline's group that never commits. */
    private static KafkaConsumer<byte[], byte[]> intruder(EmbeddedKafka kafka, String group, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Whether the runtime's supervisor of {@code pipeline} is alive. */
    private static boolean pipelineRunning(CttaRuntime runtime, String pipeline) {
        try {
            runtime.system().classicSystem().actorSelection("/user/pipeline-" + pipeline).resolveOne(Duration.ofSeconds(2))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException notFound) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<CheckpointEntry> committed(FileCheckpointStore store) {
        try {
            return store.committed();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long currentEpoch(FileCheckpointStore store) {
        try {
            return store.currentEpoch();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Evaluates {@code done} every 20 ms until it holds; fails after {@code limit}. */
    private static void awaitCondition(BooleanSupplier done, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            LockSupport.parkNanos(20_000_000L);
        }
    }
}
