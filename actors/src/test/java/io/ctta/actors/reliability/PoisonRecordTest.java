package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.CttaRuntime;
import io.ctta.actors.drift.DriftEvent;
import io.ctta.actors.drift.DriftEventCodec;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record that crashes the model actor every time it is served is dead-lettered after
 * {@code crashes-before-dead-letter} crashes, with its original bytes and a model-crash reason, an
 * action event and a metric; every other record still gets its prediction and is applied to the
 * model exactly once.
 */
class PoisonRecordTest {

    private static final int RECORDS = 640;
    private static final int PILL_AT = 333;
    private static final float PILL = 13f;

    @Test
    void aRecordThatCrashesTheModelThreeTimesIsDeadLetteredAndTheStreamGoesOn(@TempDir Path ckpt) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            ReliabilityKit.produce(kafka, "pp.in", 1, RECORDS, i -> {
                if (i != PILL_AT) {
                    return null;
                }
                float[] px = new float[784];
                Arrays.fill(px, PILL);
                return px;
            });
            int crashesBefore = PoisonPillProvider.CRASHES.get();
            Set<String> seen = new HashSet<>();
            double actions;
            try (CttaRuntime runtime = ReliabilityKit.start(kafka, ckpt, "pp", "pp.in", "poison-pill",
                    "strategy-settings { pill-value = " + PILL + " }")) {
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("pp"), false)) {
                    ReliabilityKit.collect(c, seen, RECORDS - 1);
                }
                actions = runtime.registry().get("ctta.actions").tag("pipeline", "pp").tag("action", PipelineMetrics.DEAD_LETTER_POISON).counter().count();
            }
            assertEquals(RECORDS - 1, seen.size());
            assertTrue(!seen.contains("x-" + PILL_AT), "the poison record has no prediction");
            assertEquals(3, PoisonPillProvider.CRASHES.get() - crashesBefore, "dead-lettered after exactly 3 crashes of the model");
            assertEquals(1.0, actions, "one guard action counted");

            List<ConsumerRecord<byte[], byte[]>> dead = ReliabilityKit.readAll(kafka, Topics.deadLetters("pp"), false);
            assertEquals(1, dead.size(), "exactly one dead letter");
            ConsumerRecord<byte[], byte[]> d = dead.get(0);
            String reason = new String(d.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
            assertTrue(reason.startsWith("model-crash"), reason);
            assertEquals(String.valueOf(PILL_AT), new String(d.headers().lastHeader(DeadLetters.SOURCE_OFFSET).value(), StandardCharsets.UTF_8));
            List<ConsumerRecord<byte[], byte[]>> input = ReliabilityKit.readAll(kafka, "pp.in", false);
            assertArrayEquals(input.get(PILL_AT).value(), d.value(), "the original bytes are kept");

            DriftEventCodec events = new DriftEventCodec();
            long poisonEvents = ReliabilityKit.readAll(kafka, Topics.drift("pp"), false).stream()
                    .map(r -> events.decode(r.value())).map(DriftEvent::action).filter(PipelineMetrics.DEAD_LETTER_POISON::equals).count();
            assertEquals(1, poisonEvents, "one action event on the drift topic");

            assertEquals(RECORDS - 1, new FileCheckpointStore(ckpt, "pp").load().latest().orElseThrow().recordsApplied(),
                    "every other record applied exactly once despite three restarts from the checkpoint");
        }
    }
}
