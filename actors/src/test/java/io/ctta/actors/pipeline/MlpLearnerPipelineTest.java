package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.TopicContents;
import io.ctta.actors.config.CttaSettings;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.FashionMnistData;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.PredictionCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The UPGD paper's setting served through a real broker: the built-in {@code mlp:784-300-150-10}
 * learning online with {@code upgd} from labelled Fashion-MNIST records, one sample per batch, so
 * every step takes the fused one-call path (FusedMlpStep) inside the model actor. Every record is
 * predicted by the weights before its own step (prequential: model versions 0, 1, 2, ... in
 * order), every step is applied, and the learner gets better than chance along the stream.
 */
class MlpLearnerPipelineTest {

    private static final int RECORDS = 600;

    @Test
    void theBuiltInMlpLearnsOnlineOneRecordPerStep() throws Exception {
        FashionMnistData data = FashionMnistData.load(true, RECORDS);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "mlp.in");
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            RecordCodec codec = new RecordCodec(RecordLimits.defaults());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                int[] y = new int[1];
                for (int i = 0; i < RECORDS; i++) {
                    float[] pixels = data.batch(i, 1, y).features();
                    InferenceRecord r = new InferenceRecord("m-" + i, "k", i, "stream", y[0],
                            new Tensor(DType.UINT8, new int[] {784}, pixels));
                    producer.send(new ProducerRecord<>("mlp.in", "k".getBytes(StandardCharsets.UTF_8), codec.encode(r)));
                }
                producer.flush();
            }
            Config user = ConfigFactory.parseString("""
                    ctta.http.enabled = false
                    ctta.model.kind = "mlp:784-300-150-10"
                    ctta.pipelines = [{ name = mlp, input-topic = mlp.in, strategy = upgd, batch-size = 1 }]
                    """);
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            StrategyRegistry registry = StrategyRegistry.load();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                List<ConsumerRecord<byte[], byte[]>> out = TopicContents.read(kafka, Topics.predictions("mlp"), RECORDS);
                assertEquals(RECORDS, out.size());
                PredictionCodec pc = new PredictionCodec();
                int early = 0;
                int late = 0;
                for (int i = 0; i < RECORDS; i++) {
                    PredictionRecord pr = pc.decode(out.get(i).value());
                    assertEquals("m-" + i, pr.id());
                    // Predicted before its own step: record i sees the model after i applied steps.
                    assertEquals(i, pr.modelVersion(), "model version of record " + i);
                    boolean right = pr.predictedClass() == pr.label();
                    if (i < 100) {
                        early += right ? 1 : 0;
                    } else if (i >= RECORDS - 200) {
                        late += right ? 1 : 0;
                    }
                }
                // Chance is 10 %; the paper's learners pass 50 % within a few hundred samples.
                assertTrue(late >= 80, "correct among the last 200 predictions: " + late + " (first 100: " + early + ")");
            }
        }
    }
}
