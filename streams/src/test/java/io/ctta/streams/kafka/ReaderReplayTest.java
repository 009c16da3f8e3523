package io.ctta.streams.kafka;

import io.ctta.embedded.EmbeddedKafka;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ctta.streams.fixtures.FolderLayouts;
import io.ctta.streams.fixtures.IdxFiles;
import io.ctta.streams.fixtures.WildsLayouts;
import io.ctta.streams.fixtures.WildsLayouts.CamelyonRow;
import io.ctta.streams.fixtures.WildsLayouts.FmowRow;
import io.ctta.streams.fixtures.WildsLayouts.IWildCamRow;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.LabelFeedback;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.FeedbackCodec;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SourceRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every reader replayed through a real in-process broker: what a consumer decodes from the topic is
 * exactly the source's samples, in order, with their shapes, labels, domains and metadata.
 */
class ReaderReplayTest {

    private static EmbeddedKafka kafka;

    @TempDir
    static Path data;

    private final DatasetReaders readers = DatasetReaders.load();

    @BeforeAll
    static void startBrokerAndWriteFixtures() throws IOException {
        kafka = EmbeddedKafka.start(null);
        WildsLayouts.iwildcam(data.resolve("wilds"), List.of(
                new IWildCamRow("test", 3, 1, 7, "2014-01-02 08:00:00.000", "a.jpg", 1, false),
                new IWildCamRow("test", 3, 1, 2, "2014-01-02 07:00:00.000", "b.jpg", 2, true),
                new IWildCamRow("test", 1, 2, 0, "2015-05-05 05:05:05.000", "c.jpg", 3, false),
                new IWildCamRow("train", 0, 0, 9, "2012-01-01 00:00:00.000", "d.jpg", 4, false)), 40, 30);
        WildsLayouts.camelyon17(data.resolve("wilds"), List.of(
                new CamelyonRow("042", 3, 640, 960, 1, 23, 2, 0, 4),
                new CamelyonRow("051", 2, 96, 192, 0, 26, 2, 1, 5),
                new CamelyonRow("004", 4, 0, 0, 0, 4, 0, 0, 6)), 96);
        WildsLayouts.fmow(data.resolve("wilds"), List.of(
                new FmowRow("test", "airport", "USA", "2016-03-03T00:00:00Z", 1),
                new FmowRow("seq", "zoo", "FRA", "2017-01-01T00:00:00Z", 2),
                new FmowRow("test", "zoo", "KEN", "2017-06-06T00:00:00Z", 3),
                new FmowRow("test", "dam", "KOR", "2016-01-09T00:00:00Z", 4)), 32);
        FolderLayouts.nevis(data.resolve("nevis"), 2, 8);
        FolderLayouts.domains(data.resolve("folders"), 2, 5);
        byte[] hwc = new byte[2 * 2 * 3 * 3];
        for (int i = 0; i < hwc.length; i++) {
            hwc[i] = (byte) (i * 7);
        }
        Path stream = data.resolve("stream");
        IdxFiles.images4(stream.resolve("a-images.gz"), 2, 2, 3, 3, hwc);
        IdxFiles.labels(stream.resolve("a-labels.gz"), 1, 0);
        Files.writeString(stream.resolve("manifest.json"), "{\"format\":\"ctta-stream\",\"version\":2,\"domains\":"
                + "[{\"name\":\"site-a\",\"images\":\"a-images.gz\",\"labels\":\"a-labels.gz\"}]}");
    }

    @AfterAll
    static void closeBroker() {
        kafka.close();
    }

    private DatasetSource open(String format) throws IOException {
        return switch (format) {
            case "iwildcam", "camelyon17", "fmow" -> readers.open(format, data.resolve("wilds"), ReaderOptions.none());
            case "nevis" -> readers.open(format, data.resolve("nevis"), ReaderOptions.of(Map.of("variant", "tiny")));
            case "image-folder" -> readers.open(format, data.resolve("folders"), ReaderOptions.of(Map.of("layout", "domains")));
            case "stream-dir" -> readers.open(format, data.resolve("stream"), ReaderOptions.none());
            default -> throw new IllegalArgumentException(format);
        };
    }

    private static List<Sample> samples(DatasetSource source) {
        List<Sample> out = new ArrayList<>();
        source.samples().forEachRemaining(out::add);
        return out;
    }

    private static <T> List<T> consume(String topic, int expected, Function<ConsumerRecord<byte[], byte[]>, T> decode) {
        Properties p = KafkaSettings.of(kafka.bootstrapServers()).consumer("check-" + topic);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(decode.apply(r));
                }
            }
        }
        return out;
    }

    private static InferenceRecord decode(ConsumerRecord<byte[], byte[]> r) {
        DecodeResult d = new RecordCodec(RecordLimits.defaults()).decode(r.key(), r.value(), r.headers());
        return assertInstanceOf(DecodeResult.Decoded.class, d, d::toString).record();
    }

    @ParameterizedTest
    @ValueSource(strings = {"iwildcam", "camelyon17", "fmow", "nevis", "image-folder", "stream-dir"})
    void whatTheConsumerDecodesIsTheSourceInOrder(String format) throws IOException {
        List<Sample> expected;
        List<String> domainOrder;
        try (DatasetSource s = open(format)) {
            domainOrder = s.domains().stream().filter(d -> d.count() > 0).map(DomainInfo::name).toList();
            expected = samples(s);
        }
        String topic = "replay-" + format;
        kafka.createTopics(1, topic);
        long sent;
        try (DatasetSource s = open(format);
                ReplayProducer producer = new ReplayProducer(KafkaSettings.of(kafka.bootstrapServers()).producer())) {
            sent = producer.replay(new SourceRecords(s, "stream-0", 1_000), topic, null);
        }
        assertEquals(expected.size(), sent);
        List<InferenceRecord> got = consume(topic, expected.size(), ReaderReplayTest::decode);
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            Sample s = expected.get(i);
            InferenceRecord r = got.get(i);
            assertEquals(s.id(), r.id());
            assertEquals("stream-0", r.key());
            assertEquals(1_000 + i, r.eventTimeMs());
            assertEquals(s.domain(), r.domain());
            assertEquals(s.label(), r.label());
            assertArrayEquals(s.features().shape(), r.features().shape(), s.id());
            assertEquals(s.features(), r.features(), s.id());
            assertEquals(s.metadata(), r.metadata(), s.id());
        }
        assertEquals(domainOrder, got.stream().map(InferenceRecord::domain).distinct().toList());
    }

    @Test
    void delayedLabelsTravelAsFeedbackAndTheMetadataStaysOnTheRecord() throws IOException {
        List<Sample> expected;
        try (DatasetSource s = open("iwildcam")) {
            expected = samples(s);
        }
        kafka.createTopics(1, "delayed.in", "delayed.feedback");
        try (DatasetSource s = open("iwildcam");
                ReplayProducer producer = new ReplayProducer(KafkaSettings.of(kafka.bootstrapServers()).producer())) {
            producer.replayWithDelayedLabels(new SourceRecords(s, "cam", 0), "delayed.in", "delayed.feedback", 1, null);
        }
        List<InferenceRecord> inputs = consume("delayed.in", expected.size(), ReaderReplayTest::decode);
        FeedbackCodec feedback = new FeedbackCodec();
        List<LabelFeedback> labels = consume("delayed.feedback", expected.size(), r -> {
            assertEquals(feedback.decode(r.value()).id(), new String(r.key(), StandardCharsets.UTF_8));
            return feedback.decode(r.value());
        });
        assertEquals(3, inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            assertNull(inputs.get(i).label());
            assertEquals(expected.get(i).metadata(), inputs.get(i).metadata());
            assertEquals(new LabelFeedback(expected.get(i).id(), expected.get(i).label(), i), labels.get(i));
        }
    }
}
