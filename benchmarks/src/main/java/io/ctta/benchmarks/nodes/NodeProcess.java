package io.ctta.benchmarks.nodes;

import io.ctta.actors.Main;
import io.ctta.benchmarks.CpuTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node: {@code ctta run --config FILE} in a JVM of its own ({@link Main}, the runtime's command
 * line, on this process's classpath), as the {@code ctta} launcher starts it: libtorch's OpenMP
 * threads sleep when they wait ({@code OMP_WAIT_POLICY=PASSIVE} unless set), DJL offline. Its
 * output goes to a log file. {@link #close()} sends SIGTERM, which drains its pipeline and writes
 * its final checkpoints, as an operator's stop does.
 */
final class NodeProcess implements AutoCloseable {

    /** What {@code ctta run} prints once every pipeline has left STARTING. */
    static final String RUNNING = "ctta running:";

    private final Process process;
    private final Path log;
    private final Thread stopOnExit;

    private NodeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        // A benchmark stopped with SIGTERM or Ctrl-C skips its finally blocks: the node must not outlive it.
        this.stopOnExit = new Thread(process::destroy, "ctta-bench-node-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Starts {@code ctta run --config config} with heap {@code heap} (e.g. {@code 1g}), its output to {@code log}. */
    static NodeProcess start(Path config, Path log, String heap) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        return new NodeProcess(pb.start(), log);
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether its pipeline runs (it printed {@link #RUNNING}). */
    boolean running() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8).contains(RUNNING);
    }

    /** CPU nanoseconds the node's JVM consumed so far (-1 where unknown). */
    long cpuNanos() {
        return CpuTime.ofProcess(process.pid());
    }

    /** The last {@code lines} lines of its log, for an error message. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, without waiting. */
    void signalStop() {
        process.destroy();
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 2 minutes. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            process.waitFor();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook runs anyway, harmlessly.
        }
    }
}
