package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.model.KeyedStates;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CrashPoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scope = key survives SIGKILL: a TENT pipeline with 12 keys and an LRU of 3 states (so most key
 * states live in evicted files) is killed at random points and halted inside the checkpoint
 * protocol; after the last restart every prediction, duplicates included, equals the one an
 * uninterrupted run with every state resident made: each key resumed from its state as of the
 * checkpoint, never a later one. With exactly-once output the rewind goes to the checkpoint of the
 * last committed transaction, which may be older than the newest one.
 */
class KeyScopeCrashResumeTest {
    private static final int RECORDS = 1024;
    private static final String INPUT = "keyed-crash.in";
    private static EmbeddedKafka kafka;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void produce() {
        kafka = EmbeddedKafka.start(null);
        kafka.createTopics(1, INPUT);
        KeyScopePipelineTest.produceKeyed(kafka, INPUT, RECORDS, 12, 21);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static Map<String, float[]> reference;

    private static synchronized Map<String, float[]> reference() throws Exception {
        if (reference == null) {
            Process ref = worker("kref", tmp.resolve("kref"), null, "at-least-once", 1000);
            awaitDistinct("kref", RECORDS, ref);
            ReliabilityKit.stopGracefully(ref);
            Map<String, float[]> r = new HashMap<>();
            for (PredictionRecord p : predictions("kref", false)) {
                r.putIfAbsent(p.id(), p.scores());
            }
            assertEquals(RECORDS, r.size());
            reference = r;
        }
        return reference;
    }

    @Test
    void killedKeyScopedRunPredictsLikeAnUninterruptedOne() throws Exception {
        Map<String, float[]> expected = reference();
        Path dir = tmp.resolve("kcrash");
        Random rnd = new Random(8);
        for (int k = 0; k < 3; k++) {
            Process w = worker("kcrash", dir, null, "at-least-once", 3);
            int seen = distinct("kcrash");
            awaitDistinct("kcrash", Math.min(RECORDS - 200, seen + 150 + rnd.nextInt(250)), w);
            w.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (CrashPoint step : List.of(CrashPoint.AFTER_FSYNC, CrashPoint.AFTER_MANIFEST_SWITCH)) {
            Process w = worker("kcrash", dir, step.name(), "at-least-once", 3);
            assertTrue(w.waitFor(120, TimeUnit.SECONDS), "worker should halt at " + step);
            assertEquals(137, w.exitValue(), "halted at " + step);
        }
        Process last = worker("kcrash", dir, null, "at-least-once", 3);
        awaitDistinct("kcrash", RECORDS, last);
        // Every prediction may exist before this worker started: stop it once it committed the end.
        ReliabilityKit.awaitCommitted(kafka.bootstrapServers(), "ctta-" + "kcrash", INPUT, RECORDS, last, log("kcrash"));
        ReliabilityKit.stopGracefully(last);

        List<PredictionRecord> crashed = predictions("kcrash", false);
        Set<String> ids = new HashSet<>();
        for (PredictionRecord p : crashed) {
            assertArrayEquals(expected.get(p.id()), p.scores(), "prediction for " + p.id() + " differs from the uninterrupted run");
            ids.add(p.id());
        }
        assertEquals(RECORDS, ids.size(), "every record has a prediction");
        Checkpoint fin = new FileCheckpointStore(dir, "kcrash").load().latest().orElseThrow();
        assertEquals(RECORDS, fin.recordsApplied(), "each record applied exactly once");
        assertTrue(fin.extra(KeyedStates.SECTION) != null, "the checkpoint holds the key states");
        // Every evicted state the final checkpoint names is there (the sweep never deletes one).
        Map<String, String> named = KeyedStates.filesNamedBy(fin.extra(KeyedStates.SECTION));
        assertEquals(9, named.size(), "12 keys, 3 resident");
        for (String f : named.values()) {
            assertTrue(Files.exists(dir.resolve("kcrash").resolve("key-states").resolve(f)), f);
        }
        System.out.printf("key-scope crash test: %d predictions for %d records%n", crashed.size(), RECORDS);
    }

    @Test
    void killedExactlyOnceKeyScopedRunShowsEachPredictionOnce() throws Exception {
        Map<String, float[]> expected = reference();
        Path dir = tmp.resolve("keos");
        Random rnd = new Random(4);
        for (int k = 0; k < 2; k++) {
            Process w = worker("keos", dir, null, "exactly-once", 3);
            int seen = distinct("keos");
            awaitDistinct("keos", Math.min(RECORDS - 200, seen + 150 + rnd.nextInt(250)), w);
            w.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        Process halted = worker("keos", dir, CrashPoint.AFTER_MANIFEST_SWITCH.name(), "exactly-once", 3);
        assertTrue(halted.waitFor(120, TimeUnit.SECONDS), "worker should halt");
        Process last = worker("keos", dir, null, "exactly-once", 3);
        awaitDistinct("keos", RECORDS, last);
        // Every prediction may exist before this worker started: stop it once it committed the end.
        ReliabilityKit.awaitCommitted(kafka.bootstrapServers(), "ctta-" + "keos", INPUT, RECORDS, last, log("keos"));
        ReliabilityKit.stopGracefully(last);
        List<PredictionRecord> committed = predictions("keos", true);
        for (PredictionRecord p : committed) {
            assertArrayEquals(expected.get(p.id()), p.scores(), "prediction for " + p.id() + " differs from the uninterrupted run");
        }
        assertEquals(RECORDS, committed.size(), "each record's prediction once for a read_committed consumer");
        assertEquals(RECORDS, committed.stream().map(PredictionRecord::id).distinct().count());
    }

    private static Process worker(String pipeline, Path dir, String crashAt, String outputMode, int maxResident) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-D" + PipelineWorker.SCOPE_PROPERTY + "=key",
                "-D" + PipelineWorker.MAX_RESIDENT_PROPERTY + "=" + maxResident, "-cp", System.getProperty("java.class.path")));
        if (crashAt != null) {
            cmd.add("-D" + FileCheckpointStore.CRASH_AT_PROPERTY + "=" + crashAt);
        }
        cmd.addAll(List.of(PipelineWorker.class.getName(), kafka.bootstrapServers(), INPUT, pipeline, dir.toString(), "tent", outputMode));
        Files.createDirectories(LOGS);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(pipeline).toFile())).start();
    }

    private static final Path LOGS = Path.of("target", "crash-test-logs");

    private static Path log(String pipeline) {
        return LOGS.resolve(pipeline + "-worker.log");
    }

    private static void awaitDistinct(String pipeline, int n, Process worker) {
        ReliabilityKit.awaitDistinctPredictions(kafka, Topics.predictions(pipeline), n, worker, log(pipeline));
    }

    private static int distinct(String pipeline) {
        return ReliabilityKit.distinctPredictions(kafka, Topics.predictions(pipeline));
    }

    private static List<PredictionRecord> predictions(String pipeline, boolean readCommitted) {
        return ReliabilityKit.decodedPredictions(kafka, Topics.predictions(pipeline), readCommitted);
    }
}
