package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CrashPoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash anywhere, lose nothing, apply nothing twice: a TENT pipeline in a child JVM is killed
 * with SIGKILL at random points and halted at every step of the checkpoint protocol; after the
 * last restart every input record has a prediction, every prediction (duplicates included) equals
 * the one an uninterrupted run made, and the final checkpoint says each record was applied to the
 * model exactly once.
 */
class CrashResumeTest {

    private static final int RECORDS = 1024;
    private static final String INPUT = "crash.in";
    private static EmbeddedKafka kafka;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void produce() throws Exception {
        kafka = EmbeddedKafka.start(null);
        kafka.createTopics(1, INPUT);
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Random rnd = new Random(11);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                float[] px = new float[784];
                // Two populations, so TENT has something to adapt to.
                int base = (i / 256) % 2 == 0 ? 40 : 140;
                for (int j = 0; j < px.length; j++) {
                    px[j] = Math.min(255, base + rnd.nextInt(100));
                }
                InferenceRecord r = new InferenceRecord("r-" + i, "k", i, null, i % 10, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                producer.send(new ProducerRecord<>(INPUT, null, "k".getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static Map<String, float[]> reference;

    /** The predictions of an uninterrupted run (computed once for both tests). */
    private static synchronized Map<String, float[]> reference() throws Exception {
        if (reference == null) {
            Path refDir = tmp.resolve("ref");
            Process ref = worker("ref", refDir, null);
            awaitDistinct("ref", RECORDS, ref);
            ReliabilityKit.stopGracefully(ref);
            Map<String, float[]> r = new HashMap<>();
            for (PredictionRecord p : predictions("ref", false)) {
                r.putIfAbsent(p.id(), p.scores());
            }
            assertEquals(RECORDS, r.size());
            reference = r;
        }
        return reference;
    }

    @Test
    void killedAndResumedRunPredictsExactlyLikeAnUninterruptedOneAndAppliesEveryRecordOnce() throws Exception {
        Map<String, float[]> reference = reference();

        Path dir = tmp.resolve("crash");
        Random rnd = new Random(5);
        int kills = 0;
        for (int k = 0; k < 3; k++) {
            Process w = worker("crash", dir, null);
            int seen = distinct("crash");
            awaitDistinct("crash", Math.min(RECORDS - 200, seen + 150 + rnd.nextInt(250)), w);
            w.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            kills++;
        }
        for (CrashPoint step : CrashPoint.values()) {
            Process w = worker("crash", dir, step.name());
            assertTrue(w.waitFor(120, TimeUnit.SECONDS), "worker should halt at " + step);
            assertEquals(137, w.exitValue(), "halted at " + step);
            kills++;
        }
        Process last = worker("crash", dir, null);
        awaitDistinct("crash", RECORDS, last);
        // Every prediction may already exist (made by the runs killed above) before this worker has
        // even started: stop it only once it applied every record and committed their checkpoint.
        awaitCommittedEnd("crash", last);
        ReliabilityKit.stopGracefully(last);

        List<PredictionRecord> crashed = predictions("crash", false);
        Map<String, Integer> copies = new HashMap<>();
        for (PredictionRecord p : crashed) {
            float[] expected = reference.get(p.id());
            assertArrayEquals(expected, p.scores(), "prediction for " + p.id() + " differs from the uninterrupted run");
            copies.merge(p.id(), 1, Integer::sum);
        }
        assertEquals(RECORDS, copies.size(), "every record has a prediction");
        int duplicates = crashed.size() - RECORDS;
        System.out.printf("crash test: %d kills, %d predictions for %d records (%d duplicates, at-least-once output)%n",
                kills, crashed.size(), RECORDS, duplicates);

        Checkpoint fin = new FileCheckpointStore(dir, "crash").load().latest().orElseThrow();
        assertEquals(RECORDS, fin.recordsApplied(), "each record applied to the model exactly once");
        assertEquals(RECORDS, fin.nextOffset(INPUT, 0));
    }

    /**
     * Exactly-once output under the same faults, including a halt right after a checkpoint was
     * committed to the store but before its transaction committed: a read_committed consumer sees
     * each record's prediction exactly once, equal to the uninterrupted run's.
     */
    @Test
    void killedExactlyOnceRunsShowReadCommittedConsumersEachPredictionOnce() throws Exception {
        Map<String, float[]> reference = reference();
        Path dir = tmp.resolve("eos");
        Random rnd = new Random(9);
        for (int k = 0; k < 2; k++) {
            Process w = worker("eos", dir, null, EXACTLY_ONCE);
            int seen = distinct("eos");
            awaitDistinct("eos", Math.min(RECORDS - 200, seen + 150 + rnd.nextInt(250)), w);
            w.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (CrashPoint step : List.of(CrashPoint.AFTER_FSYNC, CrashPoint.AFTER_MANIFEST_SWITCH)) {
            Process w = worker("eos", dir, step.name(), EXACTLY_ONCE);
            assertTrue(w.waitFor(120, TimeUnit.SECONDS), "worker should halt at " + step);
            assertEquals(137, w.exitValue(), "halted at " + step);
        }
        Process last = worker("eos", dir, null, EXACTLY_ONCE);
        awaitDistinct("eos", RECORDS, last);
        // Every prediction may already exist (made by the runs killed above) before this worker has
        // even started: stop it only once it applied every record and committed their checkpoint.
        awaitCommittedEnd("eos", last);
        ReliabilityKit.stopGracefully(last);

        List<PredictionRecord> committed = predictions("eos", true);
        Map<String, Integer> copies = new HashMap<>();
        for (PredictionRecord p : committed) {
            assertArrayEquals(reference.get(p.id()), p.scores(), "prediction for " + p.id() + " differs from the uninterrupted run");
            copies.merge(p.id(), 1, Integer::sum);
        }
        assertEquals(RECORDS, copies.size(), "every record has a committed prediction");
        assertEquals(RECORDS, committed.size(), "no duplicate for a read_committed consumer");
        System.out.printf("exactly-once crash test: %d committed predictions, %d records in the topic including aborted ones%n",
                committed.size(), predictions("eos", false).size());
        Checkpoint fin = new FileCheckpointStore(dir, "eos").load().latest().orElseThrow();
        assertEquals(RECORDS, fin.recordsApplied(), "each record applied to the model exactly once");
    }

    /**
     * The same faults on a user's TorchScript model (the twin of the built-in CNN): its adapted BN
     * affine parameters come back from the checkpoint, so the resumed run predicts exactly like an
     * uninterrupted run of the same model.
     */
    @Test
    void aKilledTorchScriptPipelineResumesExactlyLikeAnUninterruptedOne() throws Exception {
        String model = io.ctta.runtime.TorchScriptFixtures.file("cnn-twin.pt").toString();
        Process ref = worker("ts-ref", tmp.resolve("ts-ref"), null, "at-least-once", model);
        awaitDistinct("ts-ref", RECORDS, ref);
        ReliabilityKit.stopGracefully(ref);
        Map<String, float[]> expected = new HashMap<>();
        for (PredictionRecord p : predictions("ts-ref", false)) {
            expected.putIfAbsent(p.id(), p.scores());
        }
        assertEquals(RECORDS, expected.size());

        Path dir = tmp.resolve("ts");
        Random rnd = new Random(3);
        for (int k = 0; k < 2; k++) {
            Process w = worker("ts", dir, null, "at-least-once", model);
            int seen = distinct("ts");
            awaitDistinct("ts", Math.min(RECORDS - 200, seen + 150 + rnd.nextInt(250)), w);
            w.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        Process last = worker("ts", dir, null, "at-least-once", model);
        awaitDistinct("ts", RECORDS, last);
        // Every prediction may already exist (made by the runs killed above) before this worker has
        // even started: stop it only once it applied every record and committed their checkpoint.
        awaitCommittedEnd("ts", last);
        ReliabilityKit.stopGracefully(last);
        Map<String, Integer> copies = new HashMap<>();
        for (PredictionRecord p : predictions("ts", false)) {
            assertArrayEquals(expected.get(p.id()), p.scores(), "prediction for " + p.id() + " differs from the uninterrupted run");
            copies.merge(p.id(), 1, Integer::sum);
        }
        assertEquals(RECORDS, copies.size(), "every record has a prediction");
        Checkpoint fin = new FileCheckpointStore(dir, "ts").load().latest().orElseThrow();
        assertEquals(RECORDS, fin.recordsApplied(), "each record applied to the model exactly once");
    }

    private static final String EXACTLY_ONCE = "exactly-once";

    private static Process worker(String pipeline, Path dir, String crashAt) throws IOException {
        return worker(pipeline, dir, crashAt, "at-least-once");
    }

    private static Process worker(String pipeline, Path dir, String crashAt, String outputMode) throws IOException {
        return worker(pipeline, dir, crashAt, outputMode, null);
    }

    private static Process worker(String pipeline, Path dir, String crashAt, String outputMode, String torchScript) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path")));
        if (crashAt != null) {
            cmd.add("-D" + FileCheckpointStore.CRASH_AT_PROPERTY + "=" + crashAt);
        }
        cmd.addAll(List.of(PipelineWorker.class.getName(), kafka.bootstrapServers(), INPUT, pipeline, dir.toString(), "tent", outputMode));
        if (torchScript != null) {
            cmd.add(torchScript);
        }
        Files.createDirectories(LOGS);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(pipeline).toFile())).start();
    }

    /** Worker logs survive the test (target/ is not cleaned by it) so a failure can be read. */
    private static final Path LOGS = Path.of("target", "crash-test-logs");

    private static Path log(String pipeline) {
        return LOGS.resolve(pipeline + "-worker.log");
    }

    /** Waits until the pipeline's group has committed the end of the input (a checkpoint covers every record). */
    private static void awaitCommittedEnd(String pipeline, Process worker) {
        ReliabilityKit.awaitCommitted(kafka.bootstrapServers(), "ctta-" + pipeline, INPUT, RECORDS, worker, log(pipeline));
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
