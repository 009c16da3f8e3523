package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code group-instance-id}: a pipeline process killed with SIGKILL and started again under the same
 * name takes its partition back at once. Its consumer group keeps a 120 s session timeout, so with
 * dynamic membership the new process would wait for the dead member's session to expire (120 s)
 * before it got the partition; here every record produced after the restart is predicted well
 * inside that (the await gives up at 90 s, so the test fails if the partition waited for the session).
 */
class StaticMembershipTest {

    private static final String INPUT = "sm.in";
    private static final String NAME = "sm";

    @Test
    void aKilledProcessRestartedUnderItsNameGetsItsPartitionWithoutWaitingForTheSession(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            List<String> first = ReliabilityKit.produce(kafka, INPUT, 1, 64, i -> null);
            Set<String> seen = new HashSet<>();
            Process a = worker(kafka, dir);
            try (KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(NAME), false)) {
                ReliabilityKit.collect(predictions, seen, first.size());
                a.destroyForcibly(); // SIGKILL: the member stays in the group until its session expires
                assertTrue(a.waitFor(60, TimeUnit.SECONDS), "the killed worker exits");
                long restarted = System.nanoTime();
                Process b = worker(kafka, dir);
                try {
                    List<String> second = ReliabilityKit.produceFloat32(kafka, INPUT, 64, 64, 1);
                    long deadline = restarted + Duration.ofSeconds(90).toNanos();
                    while (!seen.containsAll(second)) {
                        assertTrue(System.nanoTime() < deadline, "the restarted process got its partition back without waiting for"
                                + " the dead member's 120 s session; predicted " + seen.size() + " of 128");
                        ReliabilityKit.pollPredictions(predictions, seen::add);
                    }
                    System.out.printf("static membership: first prediction after the restart within %.1f s of starting the new process%n",
                            (System.nanoTime() - restarted) / 1e9);
                } finally {
                    b.destroy();
                    b.waitFor(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Process worker(EmbeddedKafka kafka, Path dir) throws java.io.IOException {
        Files.createDirectories(dir.resolve("ckpt"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-D" + PipelineWorker.SESSION_TIMEOUT_PROPERTY + "=120s",
                "-Dctta.pipeline-defaults.group-instance-id=node-1",
                "-cp", System.getProperty("java.class.path"),
                PipelineWorker.class.getName(), kafka.bootstrapServers(), INPUT, NAME, dir.resolve("ckpt").toString(), "source"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("worker.log").toFile())).start();
    }
}
