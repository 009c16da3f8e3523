package io.ctta.actors.feedback;

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
import io.ctta.streams.record.LabelFeedback;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.FeedbackCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Labels that arrive later, on {@code <pipeline>.feedback}, reach the model actor through a real
 * broker, are joined to the predictions made for their records, and change the model; labels for
 * unknown ids are counted, and an undecodable feedback record is dead-lettered.
 */
class DelayedFeedbackTest {

    private static final int RECORDS = 256;

    @Test
    void delayedLabelsAreJoinedAndLearnedFrom() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "fb.in", Topics.feedback("learner"));
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            RecordCodec codec = new RecordCodec(RecordLimits.defaults());
            FeedbackCodec fc = new FeedbackCodec();
            Random rnd = new Random(1);
            int[] truth = new int[RECORDS];
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < RECORDS; i++) {
                    truth[i] = i % 10;
                    float[] px = new float[784];
                    for (int j = 0; j < px.length; j++) {
                        px[j] = Math.min(255, truth[i] * 20 + rnd.nextInt(40));
                    }
                    // No label inline: the truth comes later.
                    InferenceRecord r = new InferenceRecord("f-" + i, "k", i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                    producer.send(new ProducerRecord<>("fb.in", null, "k".getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
                }
                producer.flush();

                Config user = ConfigFactory.parseString("""
                        ctta.http.port = 0
                        ctta.pipelines = [{ name = learner, input-topic = fb.in, strategy = sgd, batch-size = 32,
                                            feedback { enabled = true, max-wait = 0s, max-latency = 50ms } }]
                        """);
                Config full = user.withFallback(ConfigFactory.load()).resolve();
                StrategyRegistry registry = StrategyRegistry.load();
                CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
                try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                    awaitMetric(runtime, "ctta_predictions_total{pipeline=\"learner\",strategy=\"sgd\"}", RECORDS);
                    assertEquals(0.0, metric(runtime, "ctta_model_version{pipeline=\"learner\",strategy=\"sgd\"}"), "nothing learned before labels");
                    String fbTopic = Topics.feedback("learner");
                    for (int i = 0; i < RECORDS; i++) {
                        producer.send(new ProducerRecord<>(fbTopic, fc.encode(new LabelFeedback("f-" + i, truth[i], 10_000 + i))));
                    }
                    for (int i = 0; i < 5; i++) {
                        producer.send(new ProducerRecord<>(fbTopic, fc.encode(new LabelFeedback("never-predicted-" + i, 1, 0))));
                    }
                    producer.send(new ProducerRecord<>(fbTopic, "not json".getBytes(StandardCharsets.UTF_8)));
                    producer.flush();

                    awaitMetric(runtime, "ctta_feedback_labels_total{outcome=\"matched\",pipeline=\"learner\",strategy=\"sgd\"}", RECORDS);
                    awaitMetric(runtime, "ctta_feedback_labels_total{outcome=\"unknown\",pipeline=\"learner\",strategy=\"sgd\"}", 5);
                    awaitMetric(runtime, "ctta_labelled_predictions_total{pipeline=\"learner\",strategy=\"sgd\"}", RECORDS);
                    awaitMetric(runtime, "ctta_dead_letters_total{pipeline=\"learner\",strategy=\"sgd\"}", 1);
                    assertTrue(metric(runtime, "ctta_adaptation_steps_total{outcome=\"applied\",pipeline=\"learner\",strategy=\"sgd\"}") > 0);
                    // The model changed: the version is stamped on every later prediction too.
                    awaitMetric(runtime, "ctta_feedback_pending{pipeline=\"learner\",strategy=\"sgd\"}", 0);
                    assertEquals(0.0, metric(runtime, "ctta_feedback_labels_total{outcome=\"late\",pipeline=\"learner\",strategy=\"sgd\"}"));
                    assertEquals(0.0, metric(runtime, "ctta_feedback_labels_total{outcome=\"duplicate\",pipeline=\"learner\",strategy=\"sgd\"}"));
                }
            }
        }
    }

    /**
     * The joiner is in the checkpoint: predictions made before a restart get their labels after
     * it, through the broker. Run 1 predicts every record and stops (final checkpoint); run 2
     * resumes from the checkpoint, receives the labels and matches and learns every one of them:
     * none is {@code unknown} (without the joiner in the checkpoint all would be).
     */
    @Test
    void labelsArrivingAfterARestartMatchPredictionsMadeBeforeIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path checkpoints) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "fb.in", Topics.feedback("learner"));
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            RecordCodec codec = new RecordCodec(RecordLimits.defaults());
            FeedbackCodec fc = new FeedbackCodec();
            Random rnd = new Random(1);
            int[] truth = new int[RECORDS];
            Config user = ConfigFactory.parseString("""
                    ctta.http.port = 0
                    ctta.checkpoints.dir = "%s"
                    ctta.pipelines = [{ name = learner, input-topic = fb.in, strategy = sgd, batch-size = 32,
                                        feedback { enabled = true, max-wait = 0s, max-latency = 50ms } }]
                    """.formatted(checkpoints.toString().replace("\\", "/")));
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            StrategyRegistry registry = StrategyRegistry.load();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < RECORDS; i++) {
                    truth[i] = i % 10;
                    float[] px = new float[784];
                    for (int j = 0; j < px.length; j++) {
                        px[j] = Math.min(255, truth[i] * 20 + rnd.nextInt(40));
                    }
                    InferenceRecord r = new InferenceRecord("f-" + i, "k", i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                    producer.send(new ProducerRecord<>("fb.in", null, "k".getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
                }
                producer.flush();
                try (CttaRuntime before = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                    awaitMetric(before, "ctta_predictions_total{pipeline=\"learner\",strategy=\"sgd\"}", RECORDS);
                }
                try (CttaRuntime after = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                    String fbTopic = Topics.feedback("learner");
                    for (int i = 0; i < RECORDS; i++) {
                        producer.send(new ProducerRecord<>(fbTopic, fc.encode(new LabelFeedback("f-" + i, truth[i], 10_000 + i))));
                    }
                    producer.send(new ProducerRecord<>(fbTopic, fc.encode(new LabelFeedback("never-predicted", 1, 0))));
                    producer.flush();
                    awaitMetric(after, "ctta_feedback_labels_total{outcome=\"unknown\",pipeline=\"learner\",strategy=\"sgd\"}", 1);
                    awaitMetric(after, "ctta_feedback_labels_total{outcome=\"matched\",pipeline=\"learner\",strategy=\"sgd\"}", RECORDS);
                    assertEquals(1.0, metric(after, "ctta_feedback_labels_total{outcome=\"unknown\",pipeline=\"learner\",strategy=\"sgd\"}"),
                            "only the id never predicted is unknown");
                    awaitMetric(after, "ctta_labelled_predictions_total{pipeline=\"learner\",strategy=\"sgd\"}", RECORDS);
                    // The labels were learned: a feedback batch's steps are counted after its scored labels.
                    awaitMetric(after, "ctta_adaptation_steps_total{outcome=\"applied\",pipeline=\"learner\",strategy=\"sgd\"}", 1);
                    assertFalse(metric(after, "ctta_predictions_total{pipeline=\"learner\",strategy=\"sgd\"}") > 0,
                            "run 2 resumed after the checkpoint: nothing predicted again");
                }
            }
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
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!(metric(runtime, series) >= atLeast)) {
            assertTrue(System.nanoTime() < deadline, series + " never reached " + atLeast + " (now " + metric(runtime, series) + ")");
            Thread.sleep(100);
        }
    }
}
