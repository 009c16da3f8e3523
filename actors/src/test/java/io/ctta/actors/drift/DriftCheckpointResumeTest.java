package io.ctta.actors.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift detectors are in the checkpoint, through the broker: a pipeline stopped while a KS
 * detector gathers evidence of a shift (after the shift, before the alarm) and started again from
 * its checkpoint raises the alarm at the same record, with the same statistics, as a pipeline that
 * read the same stream without stopping.
 */
class DriftCheckpointResumeTest {

    private static final int SHIFT = 1000;
    private static final int RECORDS = 2000;

    @TempDir
    Path checkpoints;

    /** Record i of the stream: dark frames, then bright ones from {@link #SHIFT} on. */
    private static List<byte[]> stream() {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        Random rnd = new Random(3);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            boolean bright = i >= SHIFT;
            float[] px = new float[784];
            for (int j = 0; j < px.length; j++) {
                px[j] = bright ? 150 + rnd.nextInt(100) : 10 + rnd.nextInt(60);
            }
            out.add(codec.encode(new InferenceRecord("s-" + i, "k", i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px))));
        }
        return out;
    }

    private static void produce(EmbeddedKafka kafka, String topic, List<byte[]> records, int from, int to) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, null, "k".getBytes(StandardCharsets.UTF_8), records.get(i), RecordCodec.headersFor()));
            }
            producer.flush();
        }
    }

    private CttaRuntime start(EmbeddedKafka kafka, String pipeline) {
        Config user = ConfigFactory.parseString("""
                ctta.http.port = 0
                ctta.checkpoints.dir = "%s"
                ctta.pipelines = [{
                  name = %s, input-topic = %s.in, strategy = source, batch-size = 50
                  drift {
                    detectors = [ { detector = ks, signal = input, settings { consecutive = 2 } } ]
                    action = none
                  }
                }]
                """.formatted(checkpoints.toString().replace("\\", "/"), pipeline, pipeline));
        Config full = user.withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        return CttaRuntime.start(CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names()), full, registry, kafka.bootstrapServers());
    }

    /** The pipeline's detector events as "level@offset statistic samples detections first". */
    private static List<String> events(EmbeddedKafka kafka, String pipeline) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime());
        DriftEventCodec codec = new DriftEventCodec();
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var tp = new org.apache.kafka.common.TopicPartition(Topics.drift(pipeline), 0);
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            c.seekToBeginning(List.of(tp));
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    DriftEvent e = codec.decode(r.value());
                    if (!"action".equals(e.level())) {
                        out.add(e.detector() + "/" + e.level() + "@" + e.lastOffset() + " statistic " + e.statistic() + " samples " + e.samples()
                                + " detections " + e.detections() + " from " + e.firstOffset());
                    }
                }
            }
        }
        return out;
    }

    private static long firstDrift(List<String> events) {
        for (String e : events) {
            if (e.startsWith("ks/drift@")) {
                return Long.parseLong(e.substring(e.indexOf('@') + 1, e.indexOf(' ')));
            }
        }
        return -1;
    }

    @Test
    void aDetectorStoppedHalfWayToItsAlarmRaisesItAtTheSameRecordAfterTheRestart() throws Exception {
        List<byte[]> records = stream();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "whole.in", "cut.in");
            produce(kafka, "whole.in", records, 0, RECORDS);
            try (CttaRuntime whole = start(kafka, "whole")) {
                awaitMetric(whole, "ctta_predictions_total{pipeline=\"whole\",strategy=\"source\"}", RECORDS);
            }
            List<String> uninterrupted = events(kafka, "whole");
            long alarm = firstDrift(uninterrupted);
            assertTrue(alarm > SHIFT + 2, "the uninterrupted pipeline detects the shift, a few records after it: " + uninterrupted);
            int cut = (int) (SHIFT + (alarm - SHIFT) / 2);

            // The same stream, of which only the records before the cut exist at first.
            produce(kafka, "cut.in", records, 0, cut);
            try (CttaRuntime before = start(kafka, "cut")) {
                awaitMetric(before, "ctta_predictions_total{pipeline=\"cut\",strategy=\"source\"}", cut);
            }
            assertFalse(events(kafka, "cut").stream().anyMatch(e -> e.startsWith("ks/drift")), "no alarm before the cut");
            produce(kafka, "cut.in", records, cut, RECORDS);
            try (CttaRuntime after = start(kafka, "cut")) {
                awaitMetric(after, "ctta_predictions_total{pipeline=\"cut\",strategy=\"source\"}", RECORDS - cut);
            }
            assertEquals(uninterrupted, events(kafka, "cut"), "stopped at record " + cut + " and resumed from its checkpoint");
        }
    }

    private static double metric(CttaRuntime runtime, String series) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    private static void awaitMetric(CttaRuntime runtime, String series, double atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!(metric(runtime, series) >= atLeast)) {
            assertTrue(System.nanoTime() < deadline, series + " never reached " + atLeast + " (now " + metric(runtime, series) + ")");
            Thread.sleep(100);
        }
    }
}
