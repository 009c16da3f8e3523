package io.ctta.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The pipeline benchmark's CPU by thread: names grouped without their numbers, time attributed to the thread that spent it. */
class ThreadCpuTest {

    @Test
    void threadsAreGroupedByNameWithoutTheirNumber() {
        assertEquals("C2 CompilerThread", ThreadCpu.kind("C2 CompilerThread0"));
        assertEquals("GC Thread", ThreadCpu.kind("GC Thread#3"));
        assertEquals("ctta-pekko.actor.default-dispatcher", ThreadCpu.kind("ctta-pekko.actor.default-dispatcher-12"));
        assertEquals("kafka-producer-network-thread | producer", ThreadCpu.kind("kafka-producer-network-thread | producer-1"));
        assertEquals("main", ThreadCpu.kind("main"));
    }

    @Test
    void aBusyThreadsCpuIsAttributedToIt() throws Exception {
        assumeTrue(!ThreadCpu.snapshot().isEmpty(), "needs Linux /proc");
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread burner = new Thread(() -> {
            var bean = ManagementFactory.getThreadMXBean();
            long x = 0;
            while (bean.getCurrentThreadCpuTime() < 200_000_000L) {
                x += Long.numberOfTrailingZeros(x + 1);
            }
            spun.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (x == 42) {
                System.out.print("");
            }
        }, "bench-burner-7");
        var before = ThreadCpu.snapshot();
        burner.start();
        spun.await();
        Map<String, Long> spent = ThreadCpu.between(before, ThreadCpu.snapshot());
        release.countDown();
        burner.join();
        // 200 ms of its own CPU, read in 10 ms ticks by Linux.
        long burnt = spent.getOrDefault("bench-burner", 0L);
        assertTrue(burnt >= 150_000_000L, "bench-burner spent " + burnt + " ns: " + spent);
    }
}
