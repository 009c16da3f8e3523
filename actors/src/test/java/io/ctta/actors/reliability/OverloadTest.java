package io.ctta.actors.reliability;

import static io.ctta.actors.reliability.ReliabilityKit.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload: the model serves about ten times slower than records arrive. Backpressure must reach
 * Kafka: the consumer stops fetching instead of queueing the backlog in memory.
 */
class OverloadTest {

    private static final String NAME = "ov";
    private static final String INPUT = "ov.in";
    private static final int BATCH = 64;
    /** max.poll.records of the pipeline's consumer: max(batch-size, 64). */
    private static final int MAX_POLL = Math.max(BATCH, 64);
    private static final int WARM_UP = BATCH;
    private static final int RECORDS = 10_000;
    /** Service time per batch while overloaded: 64 records per 400 ms, about 160 records/s. */
    private static final int DELAY_MS = 400;
    /** The overload phase lasts until this many records were served. */
    private static final int OVERLOAD_SERVED = 1_280;
    /**
     * Consumed but not yet sent to the output topics, at most: the graph's slots ahead of the
     * producer hold a batch each (the batch being filled, one at the quiet-stream tick's merge, one
     * at the model's boundary, one in the model, the served one at the output side's boundary),
     * plus the one record the batcher pulls ahead of a full batch. Measured at its bound, 321.
     */
    private static final int BEFORE_SEND_BOUND = 5 * Math.max(BATCH, MAX_POLL) + 1;
    /** Sent but not yet acknowledged, at most: the sending stage's own bound. */
    private static final int AWAITING_ACK_BOUND = io.ctta.actors.pipeline.PipelineStream.SENDS_IN_FLIGHT;
    /**
     * Heap growth (after GC) allowed while the backlog waits in Kafka: less than the backlog's raw
     * bytes alone (about 31 MB; read ahead and decoded it would hold about 62 MB).
     */
    private static final long HEAP_GROWTH_BOUND = 24L << 20;

    /**
     * Under a 10x overload memory stays bounded and Kafka consumption pauses; no unbounded queue
     * anywhere. A burst of {@value #RECORDS} records (about 3 kB each on the wire, more decoded)
     * meets a model that serves 64 records per {@value #DELAY_MS} ms. Throughout the run the records
     * consumed but not yet handed to the producer stay within the graph's slots ahead of it
     * (5 x max(batch-size, max.poll.records) + 1 = 321), those sent but not acknowledged within the
     * sending stage's bound, while the backlog still in Kafka is thousands of records; the heap used after GC grows by less than 24 MB over the
     * overload (the backlog's raw bytes alone are about 31 MB, about 62 MB read ahead and decoded);
     * and once the overload ends, every record has exactly one prediction and the final checkpoint
     * counts each record applied once.
     */
    @Test
    void aTenfoldOverloadPausesConsumptionAndKeepsMemoryBounded(@TempDir Path ckpt) throws Exception {
        Path gate = ckpt.resolve("overload-over");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, INPUT);
            Set<String> ids = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            long maxInFlight = 0;
            long maxBeforeSend = 0;
            long maxAwaitingAck = 0;
            long minBacklogInOverload = Long.MAX_VALUE;
            List<Long> heapGrowth = new ArrayList<>();
            long baseline;
            double arrivalRate;
            double serviceRate;
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, NAME, INPUT, "slow", 1024, "200ms",
                    "strategy-settings { delay-ms = " + DELAY_MS + ", gate = \"" + gate + "\" }");
                    KafkaConsumer<byte[], byte[]> predictions = ReliabilityKit.consumer(kafka, Topics.predictions(NAME), false)) {
                // Warm up: model loaded, consumer assigned, one batch served end to end.
                ids.addAll(ReliabilityKit.produceFloat32(kafka, INPUT, 0, WARM_UP, 1));
                ReliabilityKit.collectUntil(predictions, seen, () -> seen.size() >= WARM_UP, Duration.ofSeconds(60), "the warm-up batch");
                baseline = ReliabilityKit.heapAfterGc();

                long t0 = System.nanoTime();
                ids.addAll(ReliabilityKit.produceFloat32(kafka, INPUT, WARM_UP, RECORDS - WARM_UP, 1));
                arrivalRate = (RECORDS - WARM_UP) / ((System.nanoTime() - t0) / 1e9);
                long served0 = (long) counter(runtime, "ctta.predictions", NAME);
                long tServe = System.nanoTime();

                // The overload: sample the in-flight count at every poll, the heap every 300 served records.
                long nextHeapAt = served0 + 300;
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (counter(runtime, "ctta.predictions", NAME) < WARM_UP + OVERLOAD_SERVED) {
                    assertTrue(System.nanoTime() < deadline, "the overload phase did not progress");
                    ReliabilityKit.pollPredictions(predictions, seen);
                    // Read in the order records move (consumed, sent, acknowledged): a count read
                    // later can only have grown, so neither difference is overstated.
                    long consumed = (long) counter(runtime, "ctta.records.consumed", NAME);
                    long sent = sent(runtime);
                    long predicted = (long) counter(runtime, "ctta.predictions", NAME);
                    maxInFlight = Math.max(maxInFlight, consumed - predicted);
                    maxBeforeSend = Math.max(maxBeforeSend, consumed - sent);
                    maxAwaitingAck = Math.max(maxAwaitingAck, sent - predicted);
                    minBacklogInOverload = Math.min(minBacklogInOverload, RECORDS - consumed);
                    if (predicted >= nextHeapAt) {
                        heapGrowth.add(ReliabilityKit.heapAfterGc() - baseline);
                        nextHeapAt += 300;
                    }
                }
                serviceRate = (counter(runtime, "ctta.predictions", NAME) - served0) / ((System.nanoTime() - tServe) / 1e9);
                heapGrowth.add(ReliabilityKit.heapAfterGc() - baseline);
                double lag = runtime.metrics().get(NAME).lag().values().stream().mapToLong(Long::longValue).max().orElse(-1);

                // The overload ends: the model serves at full speed and the backlog drains.
                Files.createFile(gate);
                long drainDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!seen.keySet().containsAll(ids)) {
                    assertTrue(System.nanoTime() < drainDeadline, "only " + seen.size() + " of " + RECORDS + " predictions after the overload");
                    ReliabilityKit.pollPredictions(predictions, seen);
                    long consumed = (long) counter(runtime, "ctta.records.consumed", NAME);
                    long sent = sent(runtime);
                    long predicted = (long) counter(runtime, "ctta.predictions", NAME);
                    maxInFlight = Math.max(maxInFlight, consumed - predicted);
                    maxBeforeSend = Math.max(maxBeforeSend, consumed - sent);
                    maxAwaitingAck = Math.max(maxAwaitingAck, sent - predicted);
                }
                long consumedTotal = (long) counter(runtime, "ctta.records.consumed", NAME);

                System.out.printf("overload: arrival %.0f records/s, service %.0f records/s (%.0fx); max in flight %d records "
                                + "(before the producer %d, bound %d; awaiting acknowledgement %d, bound %d); "
                                + "backlog left in Kafka during the overload >= %d records; consumer lag gauge at its end %.0f; "
                                + "heap baseline %d MB, growth after GC per sample %s MB (bound %d MB); consumed in all %d%n",
                        arrivalRate, serviceRate, arrivalRate / serviceRate, maxInFlight, maxBeforeSend, BEFORE_SEND_BOUND, maxAwaitingAck, AWAITING_ACK_BOUND, minBacklogInOverload, lag,
                        baseline >> 20, heapGrowth.stream().map(b -> b >> 20).toList(), HEAP_GROWTH_BOUND >> 20, consumedTotal);

                assertTrue(arrivalRate >= 10 * serviceRate, "the burst arrived at least 10x faster than the model serves");
                assertTrue(maxBeforeSend <= BEFORE_SEND_BOUND, "records consumed but not sent: " + maxBeforeSend + " > " + BEFORE_SEND_BOUND);
                assertTrue(maxAwaitingAck <= AWAITING_ACK_BOUND, "records sent but not acknowledged: " + maxAwaitingAck + " > " + AWAITING_ACK_BOUND);
                assertTrue(minBacklogInOverload >= RECORDS / 2,
                        "consumption paused: at least half the burst stayed in Kafka during the overload, left " + minBacklogInOverload);
                for (long g : heapGrowth) {
                    assertTrue(g < HEAP_GROWTH_BOUND, "heap after GC grew by " + (g >> 20) + " MB during the overload");
                }
                assertEquals(RECORDS, consumedTotal, "no record consumed twice");
            }
            Map<String, Integer> all = ReliabilityKit.allPredictions(kafka, Topics.predictions(NAME));
            assertEquals(ids, all.keySet(), "every record has a prediction");
            assertTrue(all.values().stream().allMatch(n -> n == 1), "no record has two predictions");
            assertEquals(RECORDS, new FileCheckpointStore(ckpt, NAME).load().latest().orElseThrow().recordsApplied(),
                    "the final checkpoint counts every record applied exactly once");
        }
    }

    /** Outputs handed to the producer so far (the produce stage's calls; only predictions here). */
    private static long sent(CttaRuntime runtime) {
        return runtime.metrics().get(NAME).stages().snapshot().get(io.ctta.actors.metrics.StageClock.Stage.PRODUCE).calls();
    }
}
