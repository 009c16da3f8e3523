package io.ctta.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a broker process with a data directory: the next process on the same directory and port
 * serves again, at the same address, with every acknowledged record. Times are printed, not asserted.
 */
class EmbeddedKafkaKillTest {

    private static final String TOPIC = "survives-kill";
    private static final int BEFORE = 200;

    @Test
    void aBrokerKilledWithSigkillRestartsOnTheSameDirectoryAndPortWithEveryAcknowledgedRecord(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("kafka");
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;

        BrokerProcess first = BrokerProcess.start(data, port, tmp.resolve("first.log"));
        assertEquals(bootstrap, first.bootstrap());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        produce(bootstrap, 0, BEFORE);

        first.killHard();
        assertFalse(Files.exists(data.resolve("kraft").resolve(".kafka_cleanshutdown")),
                "SIGKILL leaves no clean-shutdown marker: the next start must recover the logs");

        long t0 = System.nanoTime();
        BrokerProcess second = BrokerProcess.start(data, port, tmp.resolve("second.log"));
        try {
            long upMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(bootstrap, second.bootstrap(), "the same address after the restart");
            produce(bootstrap, BEFORE, BEFORE + 1);
            long servedMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("restart after kill -9: process start to broker up %d ms (%d ms inside the JVM), to a produce acknowledged %d ms%n",
                    upMs, second.startMs(), servedMs);
            List<String> got = readAll(bootstrap, BEFORE + 1);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i <= BEFORE; i++) {
                expected.add("r" + i);
            }
            assertEquals(expected, got, "every record acknowledged before the kill, then the new one, in order");
        } finally {
            second.stop();
        }
        assertTrue(Files.exists(data.resolve("kraft").resolve(".kafka_cleanshutdown")), "SIGTERM stops the broker cleanly");
    }

    private static void produce(String bootstrap, int from, int to) throws Exception {
        Properties p = Clients.producer(bootstrap, Map.of());
        // The restarted broker may still be registering: retry until it serves (bounded by delivery.timeout.ms).
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "120000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "20");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(TOPIC, ("r" + i).getBytes(StandardCharsets.UTF_8))).get(120, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> readAll(String bootstrap, int expected) {
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Clients.consumer(bootstrap, Map.of(), "reader"))) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    got.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return got;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@link EmbeddedKafkaMain} in a child JVM; its log goes to a file, its first stdout line says it is up. */
    private record BrokerProcess(Process process, String bootstrap, long startMs) {

        static BrokerProcess start(Path data, int port, Path log) throws IOException {
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                    EmbeddedKafkaMain.class.getName(), data.toString(), Integer.toString(port))
                    .redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("BROKER UP ")) {
                    String[] f = line.split(" ");
                    return new BrokerProcess(p, f[2], Long.parseLong(f[3]));
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("broker process exited with " + waitFor(p) + " before it was up; see " + log
                    + ":\n" + tail(log));
        }

        /** SIGKILL: no shutdown hook, no clean-shutdown marker, no controlled shutdown. */
        void killHard() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        /** SIGTERM: the shutdown hook closes the broker. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        private static int waitFor(Process p) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        private static String tail(Path log) throws IOException {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
    }
}
