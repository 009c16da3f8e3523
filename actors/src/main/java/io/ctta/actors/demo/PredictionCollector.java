package io.ctta.actors.demo;

import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.serde.PredictionCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the prediction topics of several pipelines until each has produced the expected number of
 * distinct predictions, and tallies them per pipeline.
 */
public final class PredictionCollector {

    private final Properties kafka;

    public PredictionCollector(Properties kafka) {
        this.kafka = kafka;
    }

    /**
     * @param topics prediction topic per pipeline name
     * @param expected distinct predictions expected from each pipeline
     * @param timeout gives up after this long without a new prediction, once the first arrived
     * @param startTimeout gives up after this long without any prediction (strategies may warm up first)
     * @param progress receives the total count after every poll
     * @param stopped a pipeline that stopped for good, if one did: collecting then fails at once
     * @throws io.ctta.actors.pipeline.PipelineStoppedException when a pipeline stopped for good
     * @throws IllegalStateException when nothing arrived for {@code timeout}
     */
    public Map<String, PredictionTally> collect(Map<String, String> topics, long expected, List<String> domainOrder,
            Duration timeout, Duration startTimeout, LongConsumer progress,
            java.util.function.Supplier<java.util.Optional<io.ctta.actors.pipeline.PipelineFailures.Failure>> stopped) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "ctta-report-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, PredictionTally> byTopic = new LinkedHashMap<>();
        Map<String, PredictionTally> byPipeline = new LinkedHashMap<>();
        topics.forEach((pipeline, topic) -> {
            PredictionTally t = new PredictionTally();
            domainOrder.forEach(t::expectDomain);
            byTopic.put(topic, t);
            byPipeline.put(pipeline, t);
        });
        PredictionCodec codec = new PredictionCodec();
        long lastProgress = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(new ArrayList<>(topics.values()));
            while (!done(byPipeline, expected)) {
                var why = stopped.get();
                if (why.isPresent()) {
                    throw new io.ctta.actors.pipeline.PipelineStoppedException(why.get());
                }
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    PredictionRecord pr = codec.decode(r.value());
                    byTopic.get(r.topic()).add(pr);
                }
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                    progress.accept(byPipeline.values().stream().mapToLong(PredictionTally::count).sum());
                } else if (System.nanoTime() - lastProgress > (anyArrived(byPipeline) ? timeout : startTimeout).toNanos()) {
                    throw new IllegalStateException("no prediction for " + timeout.toSeconds() + " s; got "
                            + byPipeline.values().stream().map(t -> String.valueOf(t.count())).toList() + " of " + expected + " each");
                }
            }
        }
        return byPipeline;
    }

    private static boolean anyArrived(Map<String, PredictionTally> tallies) {
        return tallies.values().stream().anyMatch(t -> t.count() > 0);
    }

    private static boolean done(Map<String, PredictionTally> tallies, long expected) {
        return tallies.values().stream().allMatch(t -> t.count() >= expected);
    }
}
