package io.ctta.actors.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Corruption;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.IdxWriter;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.data.StreamDirectory;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.kafka.KafkaSettings;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.LabelFeedback;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.FeedbackCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ctta replay} against a real in-process broker: formats, options, the old options, errors. */
class ReplayCommandTest {

    private static EmbeddedKafka kafka;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    static Path data;

    private final RecordCodec codec = new RecordCodec(RecordLimits.defaults());

    @BeforeAll
    static void startBrokerAndWriteData() throws IOException {
        kafka = EmbeddedKafka.start(null);
        LabeledImages test = random(10, 1);
        IdxWriter.write(test, data.resolve("fmnist/t10k-images-idx3-ubyte.gz"), data.resolve("fmnist/t10k-labels-idx1-ubyte.gz"));
        IdxWriter.write(random(12, 2), data.resolve("fmnist/train-images-idx3-ubyte.gz"),
                data.resolve("fmnist/train-labels-idx1-ubyte.gz"));
        int seed = 0;
        for (String d : List.of("day", "night")) {
            for (String c : List.of("cat", "dog")) {
                png(data.resolve("folders/" + d + "/" + c + "/0.png"), seed++);
            }
        }
    }

    @AfterAll
    static void closeBroker() {
        kafka.close();
    }

    private static LabeledImages random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] px = new byte[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rng.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(10);
        }
        return new LabeledImages(n, 28, 28, px, labels);
    }

    /** An 8x6 RGB PNG whose red channel is {@code 10 * seed + x}. */
    private static void png(Path file, int seed) throws IOException {
        BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, ((10 * seed + x) << 16) | (y << 8) | 7);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private static String topic() {
        String t = "replay-cli-" + TOPICS.incrementAndGet();
        kafka.createTopics(1, t);
        return t;
    }

    /** Runs {@code ctta replay ARGS --bootstrap .. --topic topic}; returns stdout. */
    private static String replay(String topic, String... args) {
        ReplayCommand cmd = new ReplayCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        cmd.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<String> all = new ArrayList<>(List.of("--bootstrap", kafka.bootstrapServers(), "--topic", topic));
        all.addAll(List.of(args));
        int rc = new CommandLine(cmd).execute(all.toArray(String[]::new));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        return out;
    }

    /** Runs the top-level command as a user would; returns exit code and stderr. */
    private static Object[] ctta(String... args) {
        CommandLine cl = CttaCommand.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int rc = cl.execute(args);
        return new Object[] {rc, err.toString()};
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
        Properties p = KafkaSettings.of(kafka.bootstrapServers()).consumer("check-" + topic);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private List<InferenceRecord> records(String topic, int expected) {
        List<InferenceRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consume(topic, expected)) {
            DecodeResult d = codec.decode(r.key(), r.value(), r.headers());
            out.add(assertInstanceOf(DecodeResult.Decoded.class, d, d::toString).record());
        }
        assertEquals(expected, out.size());
        return out;
    }

    @Test
    void aFormatWithReaderOptionsAndTheShorthands() {
        String t = topic();
        String out = replay(t, "--format", "image-folder", "--data", data.resolve("folders").toString(), "-o", "layout=domains",
                "--option", "order=sorted", "--max-side", "4", "--samples-per-domain", "1", "--key", "cam-1");
        assertTrue(out.contains("replaying up to 2 records in 2 domains: day (1), night (1)"), out);
        assertTrue(out.contains("replayed 2 records (2 domains) to " + t), out);
        assertTrue(out.contains("image-folder: no items skipped"), out);
        List<InferenceRecord> got = records(t, 2);
        assertEquals(List.of("folders/day/cat/0.png", "folders/night/cat/0.png"), got.stream().map(InferenceRecord::id).toList());
        assertEquals("cam-1", got.get(0).key());
        assertArrayEquals(new int[] {3, 3, 4}, got.get(1).features().shape(), "8x6 shrunk to a longer side of 4");
        assertEquals("cat", got.get(1).metadata().get("class"));
        assertEquals(0, got.get(1).label());
    }

    @Test
    void theOldStreamOptionReplaysTheSameBytesAsBefore() throws IOException {
        LabeledImages test = random(6, 5);
        List<Domain> domains = CorruptionStream.continual(test, List.of(Corruption.CONTRAST, Corruption.PIXELATE), 2, 3, 3);
        Path dir = data.resolve("stream-" + TOPICS.get());
        StreamDirectory.write(dir, domains);
        String t = topic();
        replay(t, "--stream", dir.toString());
        List<ConsumerRecord<byte[], byte[]>> raw = consume(t, 6);
        assertEquals(6, raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Domain d = domains.get(i / 3);
            InferenceRecord r = assertInstanceOf(DecodeResult.Decoded.class, codec.decode(null, raw.get(i).value(), null)).record();
            InferenceRecord before = new InferenceRecord(d.name() + "/" + (i % 3), "stream-0", r.eventTimeMs(), d.name(),
                    d.images().label(i % 3), new io.ctta.streams.record.Tensor(io.ctta.streams.record.DType.UINT8,
                    new int[] {1, 28, 28}, d.images().featuresOf(i % 3)));
            assertArrayEquals(codec.encode(before), raw.get(i).value(), "record " + i + " is byte-identical to the old replay's");
        }
    }

    @Test
    void theOldFashionMnistOptionsStillWork() {
        String fmnist = data.resolve("fmnist").toString();
        String t = topic();
        String out = replay(t, "--data", fmnist, "--corruptions", "contrast,pixelate", "--severity", "2", "--samples-per-domain", "4");
        assertTrue(out.contains("Fashion-MNIST-C, 2 corruptions at severity 2, 4 samples each"), out);
        assertEquals(List.of("contrast-2", "pixelate-2"), records(t, 8).stream().map(InferenceRecord::domain).distinct().toList());
        t = topic();
        replay(t, "--data", fmnist, "--kind", "label-permuted", "--tasks", "2", "--task-length", "3", "--seed", "4");
        assertEquals(List.of("label-permuted-0000", "label-permuted-0001"),
                records(t, 6).stream().map(InferenceRecord::domain).distinct().toList());
        t = topic();
        replay(t, "--data", fmnist, "--corruptions", "none", "--samples-per-domain", "5");
        assertEquals(List.of("clean"), records(t, 5).stream().map(InferenceRecord::domain).distinct().toList());
    }

    @Test
    void delayedLabelsGoToTheFeedbackTopic() {
        String t = topic();
        String fb = t + ".feedback";
        kafka.createTopics(1, fb);
        replay(t, "--format", "image-folder", "--data", data.resolve("folders/day").toString(), "-o", "order=sorted",
                "--label-delay", "0", "--feedback-topic", fb);
        List<InferenceRecord> inputs = records(t, 2);
        inputs.forEach(r -> assertNull(r.label()));
        FeedbackCodec feedback = new FeedbackCodec();
        List<LabelFeedback> labels = consume(fb, 2).stream().map(r -> feedback.decode(r.value())).toList();
        assertEquals(List.of("day/cat/0.png", "day/dog/0.png"), labels.stream().map(LabelFeedback::id).toList());
        assertEquals(List.of(0, 1), labels.stream().map(LabelFeedback::label).toList());
    }

    @Test
    void skippedImagesAreSummarisedAtTheEnd() throws IOException {
        Path dir = data.resolve("broken");
        png(dir.resolve("a/ok.png"), 1);
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b/bad.png"), "not a png");
        String t = topic();
        String out = replay(t, "--format", "image-folder", "--data", dir.toString());
        assertTrue(out.contains("replayed 1 records (1 domains)"), out);
        assertTrue(out.contains("image-folder: skipped 1 item (1 undecodable image)"), out);
        assertTrue(out.contains(dir.resolve("b/bad.png").toString()), out);
    }

    @Test
    void listingAndMistakes() {
        ReplayCommand cmd = new ReplayCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        cmd.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(0, new CommandLine(cmd).execute("--list-formats"));
        String list = bytes.toString(StandardCharsets.UTF_8);
        for (String f : List.of("camelyon17", "fashion-mnist", "fashion-mnist-c", "fmow", "image-folder", "input-permuted", "iwildcam",
                "label-permuted", "nevis", "stream-dir")) {
            assertTrue(list.contains(f + ": "), f + " in " + list);
        }
        assertTrue(list.contains("-o split=... (default test)"), list);

        Object[] r = ctta("replay", "--bootstrap", kafka.bootstrapServers(), "--topic", "x", "--format", "imagenet");
        assertEquals(2, r[0]);
        assertTrue(r[1].toString().contains("error: unknown format 'imagenet'; known: camelyon17, "), r[1].toString());
        r = ctta("replay", "--bootstrap", kafka.bootstrapServers(), "--topic", "x", "--format", "image-folder",
                "--data", data.toString(), "--severity", "3");
        assertEquals(2, r[0]);
        assertTrue(r[1].toString().contains("format image-folder has no option 'severity'"), r[1].toString());
        r = ctta("replay", "--topic", "x");
        assertEquals(2, r[0]);
        assertTrue(r[1].toString().contains("--bootstrap and --topic are required"), r[1].toString());
        r = ctta("replay", "--bootstrap", "b:1", "--topic", "x", "--kind", "shuffled");
        assertTrue(r[1].toString().contains("--kind must be corruptions, label-permuted or input-permuted, got shuffled"), r[1].toString());
        r = ctta("replay", "--bootstrap", "b:1", "--topic", "x", "--format", "iwildcam", "--data", data.toString());
        assertEquals(2, r[0], "a missing dataset is the user's to fix: one line naming the path");
        assertTrue(r[1].toString().startsWith("error: cannot read the iwildcam dataset: "), r[1].toString());
        assertTrue(r[1].toString().contains(data.resolve("iwildcam_v2.0/metadata.csv").toString()), r[1].toString());
    }
}
