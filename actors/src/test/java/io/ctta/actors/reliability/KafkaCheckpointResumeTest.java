package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.checkpoint.KafkaCheckpointStore;
import io.ctta.actors.config.CttaSettings;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.streams.record.Topics;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * A pipeline whose checkpoints live in Kafka ({@code ctta.checkpoints.store = kafka}, no
 * directory) stops, restarts and resumes from its checkpoint: the restored state carries on
 * counting the records applied, and the checkpoint topic was created by the runtime.
 */
class KafkaCheckpointResumeTest {

    private static final String NAME = "kr";
    private static final String INPUT = "kr.in";

    @Test
    void aRestartedPipelineResumesFromTheCheckpointItKeptInKafka() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            ReliabilityKit.produce(kafka, INPUT, 1, 200, i -> null);
            try (CttaRuntime runtime = start(kafka)) {
                awaitPredictions(kafka, 200);
            } // the shutdown writes a final checkpoint
            KafkaCheckpointStore store = new KafkaCheckpointStore(client(kafka), CheckpointSettings.DEFAULT_TOPIC, NAME, 3);
            Checkpoint first = store.loadLatest().orElseThrow();
            assertEquals(200, first.recordsApplied());
            assertEquals(200, first.nextOffset(INPUT, 0));

            ReliabilityKit.produceFloat32(kafka, INPUT, 200, 100, 1);
            try (CttaRuntime runtime = start(kafka)) {
                awaitPredictions(kafka, 300);
            }
            Checkpoint second = store.loadLatest().orElseThrow();
            assertTrue(second.ownerEpoch() > first.ownerEpoch(), "the restarted pipeline claimed a newer epoch");
            // Started from scratch it would count only the 100 records it saw; resumed, it adds them to 200.
            assertEquals(300, second.recordsApplied());
            assertEquals(300, second.nextOffset(INPUT, 0));
        }
    }

    private static CttaRuntime start(EmbeddedKafka kafka) {
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.checkpoints { store = kafka, every-records = 64, interval = 0s }\n"
                + "ctta.guards.collapse.enabled = false\n"
                + "ctta.pipelines = [{ name = " + NAME + ", input-topic = " + INPUT + ", strategy = tent"
                + ", batch-size = 64, max-latency = 200ms, session-timeout = 6s, drift.detectors = [] }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        return CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
    }

    private static void awaitPredictions(EmbeddedKafka kafka, int distinct) {
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions(NAME), false)) {
            ReliabilityKit.collect(c, seen, distinct);
        }
    }

    private static Properties client(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }
}
