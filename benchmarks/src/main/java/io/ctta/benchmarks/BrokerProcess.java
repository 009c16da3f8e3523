package io.ctta.benchmarks;

import io.ctta.embedded.EmbeddedKafkaMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker in a JVM of its own ({@link EmbeddedKafkaMain}), a child of this process: a
 * measurement of ctta's pipeline then does not share its JVM (heap, GC, JIT threads) with the
 * broker, as it would not with a real cluster. Stopped with SIGTERM (a clean close) on
 * {@link #close()}; its output goes to a log file beside its data directory.
 */
public final class BrokerProcess implements AutoCloseable {

    private final Process process;
    private final String bootstrapServers;
    private final Path log;

    private BrokerProcess(Process process, String bootstrapServers, Path log) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.log = log;
        // A benchmark stopped with SIGTERM or Ctrl-C skips its finally blocks: the broker must not outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "ctta-bench-broker-stop"));
    }

    /** Starts a broker on a fresh temporary directory and a free port; returns once clients may connect. */
    public static BrokerProcess start(String heap) throws IOException {
        Path dir = Files.createTempDirectory("ctta-bench-broker");
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                EmbeddedKafkaMain.class.getName(), dir.toString(), Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("BROKER UP ")) {
                return new BrokerProcess(p, line.split(" ")[2], log);
            }
        }
        throw new IllegalStateException("the broker process exited before it was up; see " + log);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The child's process id, for reports. */
    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
