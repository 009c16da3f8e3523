package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The shutdown path: stopping a pipeline drains it (everything consumed is produced and its
 * offset committed) and returns promptly instead of hanging on the consumer.
 */
class PipelineShutdownTest {

    @Test
    void drainingCommitsEveryConsumedOffsetAndStops() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "drain.in");
            Properties pp = new Properties();
            pp.put("bootstrap.servers", kafka.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("drain.in", new byte[] {1, 2, 3})).get();
                }
            }
            Config user = ConfigFactory.empty()
                    .withValue("ctta.http.enabled", ConfigValueFactory.fromAnyRef(false))
                    .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(List.of(Map.of("name", "drain", "input-topic", "drain.in", "strategy", "source"))));
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            StrategyRegistry registry = StrategyRegistry.load();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
            CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin a = Admin.create(admin)) {
                TopicPartition dlq = new TopicPartition(Topics.deadLetters("drain"), 0);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (a.listOffsets(Map.of(dlq, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS).get(dlq).offset() < 100
                        && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                // A liveness guard, not a timing assertion: before the fix this hung for the ask timeout.
                assertTimeoutPreemptively(Duration.ofSeconds(20), runtime::close);
                Map<TopicPartition, OffsetAndMetadata> committed = a.listConsumerGroupOffsets("ctta-drain")
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                assertEquals(100, committed.get(new TopicPartition("drain.in", 0)).offset());
            }
        }
    }
}
