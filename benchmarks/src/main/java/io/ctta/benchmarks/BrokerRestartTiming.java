package io.ctta.benchmarks;

import io.ctta.embedded.EmbeddedKafkaMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a restart of the embedded broker costs, clean and after kill -9: a broker process
 * ({@link EmbeddedKafkaMain}) on one data directory and port is started, sent one record, and
 * stopped with SIGTERM or SIGKILL, {@code rounds} times each. Reported per start: process start to
 * broker up (inside the JVM, as the broker reports it) and to the first produce acknowledged.
 */
public final class BrokerRestartTiming {

    private final Path work;
    private final PrintStream out;

    BrokerRestartTiming(Path work, PrintStream out) {
        this.work = work;
        this.out = out;
    }

    /** One start: ms from process start to broker up (JVM-reported) and to a produce acknowledged. */
    record Start(String after, long upMs, long servedMs) {}

    List<Start> run(int rounds) throws Exception {
        List<Start> starts = new ArrayList<>();
        for (boolean kill : new boolean[] {false, true}) {
            Path dir = Files.createTempDirectory(work, kill ? "kill-" : "clean-");
            int port = freePort();
            String previous = "fresh directory";
            for (int i = 0; i <= rounds; i++) {
                long t0 = System.nanoTime();
                Process p = start(dir, port, dir.resolveSibling(dir.getFileName() + "-" + i + ".log"));
                long upMs = awaitUp(p);
                produce("127.0.0.1:" + port, i == 0);
                long servedMs = (System.nanoTime() - t0) / 1_000_000;
                Start s = new Start(previous, upMs, servedMs);
                starts.add(s);
                out.printf("%-22s broker up %6d ms   produce acknowledged %6d ms%n", s.after(), s.upMs(), s.servedMs());
                if (kill) {
                    p.destroyForcibly();
                } else {
                    p.destroy();
                }
                p.waitFor();
                previous = kill ? "kill -9" : "clean stop";
            }
        }
        return starts;
    }

    private static Process start(Path dir, int port, Path log) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                EmbeddedKafkaMain.class.getName(), dir.toString(), Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    }

    private static long awaitUp(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("BROKER UP ")) {
                return Long.parseLong(line.split(" ")[3]);
            }
        }
        throw new IllegalStateException("broker process exited before it was up");
    }

    private static void produce(String bootstrap, boolean createTopic) throws Exception {
        if (createTopic) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic("timing", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "120000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        // Short backoffs: the figure is when the broker serves, not when a slow retry noticed.
        p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "20");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "100");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "20");
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "100");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("timing", "x")).get(120, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code BrokerRestartTiming [rounds]}: restarts of each kind after the first start (default 3). */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path work = Files.createTempDirectory("ctta-broker-restart-");
        System.out.println("Broker logs in " + work);
        new BrokerRestartTiming(work, System.out).run(rounds);
    }
}
