package io.ctta.streams.kafka;

import io.ctta.embedded.EmbeddedKafka;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ctta.streams.fixtures.IdxFiles;
import io.ctta.streams.fixtures.ImageFiles;
import io.ctta.streams.fixtures.WildsLayouts;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SourceRecords;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records/s of each reader (decode + optional downscale) on a generated fixture of a few hundred
 * images in its layout, and the replay throughput into the embedded broker. Run it with
 * {@code mvn -B -o -q -pl streams test -Dtest=ReaderThroughputBenchmark -Dctta.bench=true}; it prints a
 * Markdown table and writes it to {@code streams/target/reader-throughput.md}. Each reader is timed on
 * a second pass, after a warm-up pass.
 */
@EnabledIfSystemProperty(named = "ctta.bench", matches = "true")
class ReaderThroughputBenchmark {

    @TempDir
    Path tmp;

    private final DatasetReaders readers = DatasetReaders.load();
    private final List<String> rows = new ArrayList<>();

    /** A photograph-like image: smooth gradients plus noise, so JPEG has real work to do. */
    private static BufferedImage photo(int w, int h, int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int n = rng.nextInt(17) - 8;
                int r = clamp((x * 255) / w + n);
                int g = clamp((y * 255) / h + n);
                int b = clamp(((x + y + seed * 13) % 256) + n);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    @Test
    void measure() throws IOException {
        Path wilds = tmp.resolve("wilds");
        int iwildcam = 300;
        List<WildsLayouts.IWildCamRow> cams = new ArrayList<>();
        for (int i = 0; i < iwildcam; i++) {
            cams.add(new WildsLayouts.IWildCamRow("test", i % 6, i, i % 20, String.format(Locale.ROOT, "2014-01-%02d 08:00:00.000", 1 + i % 28),
                    "img-" + i + ".jpg", i, false));
        }
        WildsLayouts.iwildcam(wilds, cams, 8, 8);
        // Replace the flat fixture images by 1024x768 photograph-like JPEGs (quality 90).
        for (int i = 0; i < iwildcam; i++) {
            ImageFiles.jpeg(wilds.resolve("iwildcam_v2.0/train/img-" + i + ".jpg"), photo(1024, 768, i), 90);
        }
        int camelyon = 400;
        List<WildsLayouts.CamelyonRow> patches = new ArrayList<>();
        for (int i = 0; i < camelyon; i++) {
            patches.add(new WildsLayouts.CamelyonRow(String.format(Locale.ROOT, "%03d", (i % 5) * 20), i % 5, i * 96, i * 32, i % 2,
                    (i % 5) * 10, i % 5, i % 2, i));
        }
        WildsLayouts.camelyon17(wilds, patches, 96);
        int fmow = 300;
        List<WildsLayouts.FmowRow> sat = new ArrayList<>();
        for (int i = 0; i < fmow; i++) {
            sat.add(new WildsLayouts.FmowRow("test", "airport", i % 2 == 0 ? "USA" : "KEN",
                    String.format(Locale.ROOT, "%d-03-03T00:00:00Z", 2016 + i % 2), i));
        }
        WildsLayouts.fmow(wilds, sat, 8);
        for (int i = 0; i < fmow; i++) {
            ImageFiles.png(wilds.resolve("fmow_v1.1/images/rgb_img_" + i + ".png"), photo(224, 224, i));
        }
        Path nevis = tmp.resolve("nevis");
        for (int i = 0; i < 300; i++) {
            switch (i % 3) {
                case 0 -> ImageFiles.png(nevis.resolve("mnist/" + (i % 10) + "/" + i + ".png"), ImageFiles.greyPattern(28, 28, i));
                case 1 -> ImageFiles.jpeg(nevis.resolve("caltech101/c" + (i % 10) + "/" + i + ".jpg"), photo(300, 200, i), 90);
                default -> ImageFiles.png(nevis.resolve("cifar100/c" + (i % 10) + "/" + i + ".png"), photo(32, 32, i));
            }
        }
        Files.writeString(nevis.resolve("nevis-datasets.json"),
                "{\"MNIST\": \"mnist\", \"Caltech 101\": \"caltech101\", \"CIFAR 100\": \"cifar100\"}");
        Path folder = tmp.resolve("folder");
        for (int i = 0; i < 300; i++) {
            ImageFiles.png(folder.resolve("c" + (i % 10) + "/" + i + ".png"), photo(64, 64, i));
        }
        Path stream = tmp.resolve("stream");
        int streamImages = 2000;
        byte[] hwc = new byte[streamImages * 32 * 32 * 3];
        new SplittableRandom(1).nextBytes(hwc);
        int[] labels = new int[streamImages];
        IdxFiles.images4(stream.resolve("a-images.gz"), streamImages, 32, 32, 3, hwc);
        IdxFiles.labels(stream.resolve("a-labels.gz"), labels);
        Files.writeString(stream.resolve("manifest.json"), "{\"format\":\"ctta-stream\",\"version\":2,\"domains\":"
                + "[{\"name\":\"a\",\"images\":\"a-images.gz\",\"labels\":\"a-labels.gz\"}]}");

        rows.add("| reader | fixture | records | records/s | decoded MB/s |");
        rows.add("|---|---|---:|---:|---:|");
        time("iwildcam", wilds, Map.of(), "300 JPEG 1024x768 q90, native size", iwildcam);
        time("iwildcam", wilds, Map.of("max-side", "448"), "the same, --max-side 448", iwildcam);
        time("camelyon17", wilds, Map.of("split", "all"), "400 RGBA PNG 96x96 -> RGB", camelyon);
        time("fmow", wilds, Map.of(), "300 PNG 224x224", fmow);
        time("nevis", nevis, Map.of("variant", "tiny"), "MNIST 28x28 grey PNG, Caltech 101 300x200 JPEG, CIFAR 100 32x32 PNG"
                + " (100 each; MNIST twice)", 400);
        time("image-folder", folder, Map.of(), "300 PNG 64x64, 10 classes", 300);
        time("stream-dir", stream, Map.of(), "2000 RGB 32x32 in one gzipped 4-D IDX file", streamImages);

        List<String> replay = new ArrayList<>();
        replay.add("| replay into the embedded broker | records | MB | records/s | MB/s |");
        replay.add("|---|---:|---:|---:|---:|");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            replay(kafka, replay, "iwildcam", wilds, Map.of("max-side", "448"), "iWildCam, --max-side 448 (3x336x448)", iwildcam);
            replay(kafka, replay, "fmow", wilds, Map.of(), "FMoW (3x224x224)", fmow);
            replay(kafka, replay, "stream-dir", stream, Map.of(), "stream-dir (3x32x32)", streamImages);
        }
        rows.add("");
        rows.addAll(replay);
        String table = String.join("\n", rows) + "\n";
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/reader-throughput.md"), table);
    }

    private void time(String format, Path location, Map<String, String> options, String fixture, int expected) throws IOException {
        pass(format, location, options, expected); // warm-up: JIT, page cache
        long t0 = System.nanoTime();
        long[] bytes = pass(format, location, options, expected);
        double s = (System.nanoTime() - t0) / 1e9;
        rows.add(String.format(Locale.ROOT, "| %s%s | %s | %d | %.0f | %.1f |", format, options.containsKey("max-side") ? " (max-side)" : "",
                fixture, bytes[0], bytes[0] / s, bytes[1] / s / 1e6));
    }

    /** One pass over the source: {records, decoded bytes}. */
    private long[] pass(String format, Path location, Map<String, String> options, int expected) throws IOException {
        try (DatasetSource s = readers.open(format, location, ReaderOptions.of(options))) {
            assertEquals(expected, DomainInfo.total(s.domains()), format);
            long n = 0;
            long bytes = 0;
            for (Iterator<Sample> it = s.samples(); it.hasNext(); ) {
                bytes += it.next().features().values().length;
                n++;
            }
            assertEquals(expected, n, format);
            // Only the NEVIS tasks this fixture does not hold may be skipped, never an image.
            assertEquals(0, s.skips().total() - s.skips().count(io.ctta.streams.source.SkipLog.Reason.MISSING_TASK), s.skips().summary());
            return new long[] {n, bytes};
        }
    }

    private static void replay(EmbeddedKafka kafka, List<String> out, String format, Path location, Map<String, String> options,
            String what, int expected) throws IOException {
        String topic = "bench-" + format;
        kafka.createTopics(1, topic);
        DatasetReaders readers = DatasetReaders.load();
        long bytes;
        long n;
        double s;
        try (DatasetSource source = readers.open(format, location, ReaderOptions.of(options));
                ReplayProducer producer = new ReplayProducer(KafkaSettings.of(kafka.bootstrapServers()).producer())) {
            long[] size = {0};
            SourceRecords records = new SourceRecords(source, "k", 0);
            Iterator<io.ctta.streams.record.InferenceRecord> counted = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return records.hasNext();
                }

                @Override
                public io.ctta.streams.record.InferenceRecord next() {
                    io.ctta.streams.record.InferenceRecord r = records.next();
                    size[0] += r.features().values().length;
                    return r;
                }
            };
            long t0 = System.nanoTime();
            n = producer.replay(counted, topic, null);
            s = (System.nanoTime() - t0) / 1e9;
            bytes = size[0];
        }
        assertEquals(expected, n);
        out.add(String.format(Locale.ROOT, "| %s | %d | %.1f | %.0f | %.1f |", what, n, bytes / 1e6, n / s, bytes / s / 1e6));
    }
}
