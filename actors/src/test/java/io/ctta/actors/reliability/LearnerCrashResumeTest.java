package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.FashionMnistData;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CrashPoint;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery of an online learner on its fused step: {@code upgd} on the built-in
 * {@code mlp:784-300-150-10}, one labelled Fashion-MNIST record per step (the UPGD paper's
 * protocol), in a child JVM killed with SIGKILL mid-stream and halted inside the checkpoint
 * protocol. Every prediction of the resumed runs, duplicates included, must equal the
 * uninterrupted run's bit for bit: each one depends on every earlier step, so this holds only if
 * the weights, UPGD's utility traces, the step counter and the Gaussian noise (seeded per step)
 * all come back from the checkpoint exactly, and no record is learned twice or skipped.
 */
class LearnerCrashResumeTest {

    private static final int RECORDS = 512;
    private static final String INPUT = "learner.in";
    private static final String MODEL = "mlp:784-300-150-10";
    private static EmbeddedKafka kafka;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void produce() throws Exception {
        kafka = EmbeddedKafka.start(null);
        kafka.createTopics(1, INPUT);
        FashionMnistData data = FashionMnistData.load(true, RECORDS);
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            int[] y = new int[1];
            for (int i = 0; i < RECORDS; i++) {
                float[] pixels = data.batch(i, 1, y).features();
                InferenceRecord r = new InferenceRecord("l-" + i, "k", i, "stream", y[0], new Tensor(DType.UINT8, new int[] {784}, pixels));
                producer.send(new ProducerRecord<>(INPUT, null, "k".getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void aKilledUpgdLearnerResumesExactlyLikeAnUninterruptedOne() throws Exception {
        Process ref = worker("upgd-ref", tmp.resolve("ref"), null);
        awaitDistinct("upgd-ref", RECORDS, ref);
        ReliabilityKit.stopGracefully(ref);
        Map<String, float[]> expected = new HashMap<>();
        for (PredictionRecord p : predictions("upgd-ref")) {
            expected.putIfAbsent(p.id(), p.scores());
            // Predicted before its own step: the record at offset i sees the model after i steps.
            assertEquals(Long.parseLong(p.id().substring(2)), p.modelVersion(), "model version of " + p.id());
        }
        assertEquals(RECORDS, expected.size());

        Path dir = tmp.resolve("crash");
        Random rnd = new Random(17);
        for (int k = 0; k < 2; k++) {
            Process w = worker("upgd", dir, null);
            int seen = distinct("upgd");
            awaitDistinct("upgd", Math.min(RECORDS - 150, seen + 100 + rnd.nextInt(200)), w);
            w.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (CrashPoint step : List.of(CrashPoint.AFTER_FSYNC, CrashPoint.AFTER_MANIFEST_SWITCH)) {
            Process w = worker("upgd", dir, step.name());
            assertTrue(w.waitFor(120, TimeUnit.SECONDS), "worker should halt at " + step);
            assertEquals(137, w.exitValue(), "halted at " + step);
        }
        Process last = worker("upgd", dir, null);
        awaitDistinct("upgd", RECORDS, last);
        // Every prediction may exist before this worker started: stop it only once its checkpoint covers the end.
        ReliabilityKit.awaitCommitted(kafka.bootstrapServers(), "ctta-upgd", INPUT, RECORDS, last, log("upgd"));
        ReliabilityKit.stopGracefully(last);

        List<PredictionRecord> resumed = predictions("upgd");
        Set<String> ids = new HashSet<>();
        for (PredictionRecord p : resumed) {
            assertArrayEquals(expected.get(p.id()), p.scores(), "prediction for " + p.id() + " differs from the uninterrupted run");
            ids.add(p.id());
        }
        assertEquals(RECORDS, ids.size(), "every record has a prediction");
        Checkpoint fin = new FileCheckpointStore(dir, "upgd").load().latest().orElseThrow();
        assertEquals(RECORDS, fin.recordsApplied(), "each record learned exactly once");
        assertEquals(RECORDS, fin.nextOffset(INPUT, 0));
        System.out.printf("learner crash test: %d predictions for %d records (%d duplicates)%n", resumed.size(), RECORDS, resumed.size() - RECORDS);
    }

    private static Process worker(String pipeline, Path dir, String crashAt) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-D" + PipelineWorker.MODEL_KIND_PROPERTY + "=" + MODEL,
                "-D" + PipelineWorker.PIPELINE_PROPERTY + "=batch-size = 1", "-cp", System.getProperty("java.class.path")));
        if (crashAt != null) {
            cmd.add("-D" + FileCheckpointStore.CRASH_AT_PROPERTY + "=" + crashAt);
        }
        cmd.addAll(List.of(PipelineWorker.class.getName(), kafka.bootstrapServers(), INPUT, pipeline, dir.toString(), "upgd"));
        Files.createDirectories(LOGS);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(pipeline).toFile())).start();
    }

    /** Worker logs survive the test so a failure can be read. */
    private static final Path LOGS = Path.of("target", "crash-test-logs");

    private static Path log(String pipeline) {
        return LOGS.resolve("learner-" + pipeline + "-worker.log");
    }

    private static void awaitDistinct(String pipeline, int n, Process worker) {
        ReliabilityKit.awaitDistinctPredictions(kafka, Topics.predictions(pipeline), n, worker, log(pipeline));
    }

    private static int distinct(String pipeline) {
        return ReliabilityKit.distinctPredictions(kafka, Topics.predictions(pipeline));
    }

    private static List<PredictionRecord> predictions(String pipeline) {
        return ReliabilityKit.decodedPredictions(kafka, Topics.predictions(pipeline), false);
    }
}
