package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.TopicContents;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.FashionMnistData;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.model.ImageGeometry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.PredictionCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A user's RGB TorchScript model (fixtures/torchscript/resnet-rgb.pt, whose description declares
 * per-channel normalisation, resize 32 and center crop 32) served through a real broker: camera
 * frames of another size (3x40x48, float32) and of the model's size (3x32x32, uint8) are resized
 * and cropped to the model's input and predicted as accurately as the model predicts its own
 * size; a grey frame is served as three equal channels, a two-channel one is dead-lettered with
 * the shape as the reason; records packed by hand (binary and JSON, as a client in another language
 * writes them, no headers) are read as ctta's own; {@code tent} adapts the model.
 */
class TorchScriptPipelineTest {

    private static final int FRAMES = 192;

    @Test
    void rgbFramesOfAnySizeAreServedAndAdapted() throws Exception {
        FashionMnistData rgb = FashionMnistData.load(false, FRAMES).colourised(5);
        ImageGeometry upscale = new ImageGeometry(new int[] {40, 48}, null);
        String input = "frames";
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, input);
            RecordCodec codec = new RecordCodec(RecordLimits.defaults());
            Map<String, Integer> labels = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(kafka), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                int[] y = new int[1];
                for (int i = 0; i < FRAMES; i++) {
                    float[] frame = rgb.batch(i, 1, y).features();
                    Tensor t = i % 2 == 0
                            ? new Tensor(DType.FLOAT32, new int[] {3, 40, 48}, upscale.apply(frame, 3, 32, 32))
                            : new Tensor(DType.UINT8, new int[] {3, 32, 32}, rounded(frame));
                    InferenceRecord r = new InferenceRecord("f-" + i, "cam", 1000L + i, "cam", y[0], t);
                    labels.put(r.id(), y[0]);
                    producer.send(new ProducerRecord<>(input, "cam".getBytes(StandardCharsets.UTF_8), codec.encode(r))).get();
                    if (i < 2) {
                        // The same frames as a client in another language writes them, without ctta's
                        // codec: binary packed by hand (as Python's struct.pack would) and JSON text.
                        byte[] raw = i == 0 ? handPackedFloat32("py-bin", t.shape(), t.values()) : handWrittenJson("py-json", t);
                        producer.send(new ProducerRecord<>(input, "cam".getBytes(StandardCharsets.UTF_8), raw)).get();
                    }
                    if (i == 50) {
                        // A grey frame is served (three equal channels); a two-channel one cannot be.
                        InferenceRecord grey = new InferenceRecord("grey", "cam", 1, "cam", 0,
                                new Tensor(DType.UINT8, new int[] {1, 40, 48}, new float[40 * 48]));
                        producer.send(new ProducerRecord<>(input, "cam".getBytes(StandardCharsets.UTF_8), codec.encode(grey))).get();
                        InferenceRecord two = new InferenceRecord("two", "cam", 1, "cam", 0,
                                new Tensor(DType.UINT8, new int[] {2, 40, 48}, new float[2 * 40 * 48]));
                        producer.send(new ProducerRecord<>(input, "cam".getBytes(StandardCharsets.UTF_8), codec.encode(two))).get();
                    }
                }
            }
            Config user = ConfigFactory.empty()
                    .withValue("ctta.http.enabled", ConfigValueFactory.fromAnyRef(false))
                    .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                    .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(TorchScriptFixtures.file("resnet-rgb.pt").toString()))
                    .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(List.of(
                            Map.of("name", "rgb-source", "input-topic", input, "strategy", "source", "batch-size", 32),
                            Map.of("name", "rgb-tent", "input-topic", input, "strategy", "tent", "batch-size", 32))));
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            StrategyRegistry registry = StrategyRegistry.load();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                for (String pipeline : List.of("rgb-source", "rgb-tent")) {
                    List<ConsumerRecord<byte[], byte[]>> out = TopicContents.read(kafka, Topics.predictions(pipeline), FRAMES + 3);
                    assertEquals(FRAMES + 3, out.size(), pipeline);
                    PredictionCodec pc = new PredictionCodec();
                    int[] wrong = new int[2];
                    int[] seen = new int[2];
                    Map<String, float[]> probabilities = new HashMap<>();
                    for (ConsumerRecord<byte[], byte[]> c : out) {
                        PredictionRecord p = pc.decode(c.value());
                        probabilities.put(p.id(), p.scores());
                        if (!p.id().startsWith("f-")) {
                            continue;
                        }
                        int kind = Integer.parseInt(p.id().substring(2)) % 2;
                        seen[kind]++;
                        wrong[kind] += p.predictedClass() == labels.get(p.id()) ? 0 : 1;
                    }
                    if (pipeline.equals("rgb-source")) {
                        // The source model's answer depends only on the frame: hand-made records are read as ctta's own.
                        org.junit.jupiter.api.Assertions.assertArrayEquals(probabilities.get("f-0"), probabilities.get("py-bin"), 1e-6f);
                        org.junit.jupiter.api.Assertions.assertArrayEquals(probabilities.get("f-1"), probabilities.get("py-json"), 1e-6f);
                    }
                    // The model's clean error is about 15 %: resized frames must be served as well as native ones.
                    assertTrue(wrong[0] < 0.35 * seen[0], pipeline + ": resized frames " + wrong[0] + " wrong of " + seen[0]);
                    assertTrue(wrong[1] < 0.35 * seen[1], pipeline + ": native frames " + wrong[1] + " wrong of " + seen[1]);
                    List<ConsumerRecord<byte[], byte[]>> dead = TopicContents.read(kafka, Topics.deadLetters(pipeline), 1);
                    String reason = new String(dead.get(0).headers().lastHeader("ctta.dlq.reason").value(), StandardCharsets.UTF_8);
                    assertTrue(reason.contains("shape: shape [2, 40, 48] is not an image of 3 channel(s)"), reason);
                }
                assertTrue(runtime.metrics().get("rgb-tent").actionCounts().isEmpty());
            }
        }
    }

    /** The binary layout of docs/record-format.md, written field by field: no domain, no label, no metadata. */
    private static byte[] handPackedFloat32(String id, int[] shape, float[] data) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] key = "cam".getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(14 + 2 + idBytes.length + 2 + key.length + 4 * shape.length + 4 * data.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'C').put((byte) 'T').put((byte) 1).put((byte) 0).put((byte) 1).put((byte) shape.length).putLong(5L);
        b.putShort((short) idBytes.length).put(idBytes).putShort((short) key.length).put(key);
        for (int d : shape) {
            b.putInt(d);
        }
        for (float v : data) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** A JSON record as a script would print it: uint8 values as integers. */
    private static byte[] handWrittenJson(String id, Tensor t) {
        StringBuilder json = new StringBuilder("{\"id\": \"").append(id).append("\", \"eventTime\": 5, \"dtype\": \"uint8\", \"shape\": ")
                .append(java.util.Arrays.toString(t.shape())).append(", \"features\": [");
        float[] data = t.values();
        for (int i = 0; i < data.length; i++) {
            json.append(i == 0 ? "" : ", ").append((int) data[i]);
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static float[] rounded(float[] x) {
        float[] r = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = Math.round(x[i]);
        }
        return r;
    }

    private static Properties producerProps(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return p;
    }
}
