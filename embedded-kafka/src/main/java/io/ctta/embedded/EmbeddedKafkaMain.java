package io.ctta.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded broker as a process of its own, until killed: {@code EmbeddedKafkaMain DATA_DIR PORT}.
 * It prints {@code BROKER UP <bootstrap> <ms>} once clients may connect (ms: from JVM start), and
 * closes the broker cleanly on SIGTERM. The restart fault test and the restart measurement kill it
 * with SIGKILL to see what an unclean stop costs the next start.
 */
public final class EmbeddedKafkaMain {
    private EmbeddedKafkaMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedKafkaMain DATA_DIR PORT");
            System.exit(2);
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]));
        long sinceJvmStart = System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            closed.countDown();
        }, "ctta-embedded-kafka-close"));
        System.out.println("BROKER UP " + kafka.bootstrapServers() + " " + sinceJvmStart);
        System.out.flush();
        closed.await();
    }
}
