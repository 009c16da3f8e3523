package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.TopicContents;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.demo.DomainRecords;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.streams.fixtures.FolderLayouts;
import io.ctta.streams.fixtures.IdxFiles;
import io.ctta.streams.fixtures.WildsLayouts;
import io.ctta.streams.fixtures.WildsLayouts.CamelyonRow;
import io.ctta.streams.fixtures.WildsLayouts.FmowRow;
import io.ctta.streams.fixtures.WildsLayouts.IWildCamRow;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.kafka.ReplayProducer;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.PredictionCodec;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.ReaderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every benchmark reader end to end: fixtures written in each dataset's own layout (iWildCam,
 * Camelyon17 and FMoW as the wilds package downloads them, a NEVIS'22 task stream over class
 * folders, an image folder with domains, an RGB stream directory), replayed through a real broker
 * into one pipeline each, served by a user's RGB TorchScript model that resizes every image to its
 * input (native sizes from 8x8 to 96x96, grey night frames among them): every replayed record gets
 * exactly one prediction, with its domain and label carried through.
 */
class DatasetReplayPipelineTest {

    @TempDir
    Path data;

    @Test
    void everyReaderReplaysIntoAPipelineThatPredictsEveryRecord() throws Exception {
        WildsLayouts.iwildcam(data.resolve("wilds"), List.of(
                new IWildCamRow("test", 3, 1, 7, "2014-01-02 08:00:00.000", "a.jpg", 1, false),
                new IWildCamRow("test", 3, 1, 2, "2014-01-02 07:00:00.000", "b.jpg", 2, true),
                new IWildCamRow("test", 1, 2, 0, "2015-05-05 05:05:05.000", "c.jpg", 3, false)), 40, 30);
        WildsLayouts.camelyon17(data.resolve("wilds"), List.of(
                new CamelyonRow("042", 3, 640, 960, 1, 23, 2, 0, 4),
                new CamelyonRow("051", 2, 96, 192, 0, 26, 2, 1, 5)), 96);
        WildsLayouts.fmow(data.resolve("wilds"), List.of(
                new FmowRow("test", "airport", "USA", "2016-03-03T00:00:00Z", 1),
                new FmowRow("test", "zoo", "KEN", "2017-06-06T00:00:00Z", 3)), 32);
        FolderLayouts.nevis(data.resolve("nevis"), 2, 8);
        FolderLayouts.domains(data.resolve("folders"), 2, 12);
        byte[] hwc = new byte[2 * 20 * 20 * 3];
        for (int i = 0; i < hwc.length; i++) {
            hwc[i] = (byte) (i * 7);
        }
        Path stream = data.resolve("stream");
        IdxFiles.images4(stream.resolve("a-images.gz"), 2, 20, 20, 3, hwc);
        IdxFiles.labels(stream.resolve("a-labels.gz"), 1, 0);
        Files.writeString(stream.resolve("manifest.json"), "{\"format\":\"ctta-stream\",\"version\":2,\"domains\":"
                + "[{\"name\":\"site-a\",\"images\":\"a-images.gz\",\"labels\":\"a-labels.gz\"}]}");
        Map<String, Path> locations = new LinkedHashMap<>();
        locations.put("iwildcam", data.resolve("wilds"));
        locations.put("camelyon17", data.resolve("wilds"));
        locations.put("fmow", data.resolve("wilds"));
        locations.put("nevis", data.resolve("nevis"));
        locations.put("image-folder", data.resolve("folders"));
        locations.put("stream-dir", stream);
        Map<String, Map<String, String>> options = Map.of("nevis", Map.of("variant", "tiny"),
                "image-folder", Map.of("layout", "domains"));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            Map<String, Map<String, Integer>> replayed = new LinkedHashMap<>();
            Map<String, Set<String>> domains = new HashMap<>();
            List<Object> pipelines = new ArrayList<>();
            Properties producer = new Properties();
            producer.put("bootstrap.servers", kafka.bootstrapServers());
            for (Map.Entry<String, Path> e : locations.entrySet()) {
                String format = e.getKey();
                kafka.createTopics(1, format);
                Map<String, Integer> labels = new LinkedHashMap<>();
                try (DatasetSource source = DatasetReaders.load().open(format, e.getValue(),
                        ReaderOptions.of(options.getOrDefault(format, Map.of())));
                        ReplayProducer replay = new ReplayProducer(producer)) {
                    domains.put(format, new TreeSet<>(source.domains().stream().map(d -> d.name()).toList()));
                    DomainRecords records = new DomainRecords(source, "cam", 1000);
                    List<io.ctta.streams.record.InferenceRecord> all = new ArrayList<>();
                    records.forEachRemaining(all::add);
                    all.forEach(r -> labels.put(r.id(), r.label()));
                    assertEquals(all.size(), replay.replay(all.iterator(), format, null), format);
                }
                assertTrue(labels.size() >= 2, format + " replayed " + labels.size());
                replayed.put(format, labels);
                pipelines.add(Map.of("name", "p-" + format, "input-topic", format, "strategy", "source", "batch-size", 4));
            }
            Config user = ConfigFactory.empty()
                    .withValue("ctta.http.enabled", ConfigValueFactory.fromAnyRef(false))
                    .withValue("ctta.model.kind", ConfigValueFactory.fromAnyRef("torchscript"))
                    .withValue("ctta.model.path", ConfigValueFactory.fromAnyRef(TorchScriptFixtures.file("resnet-rgb.pt").toString()))
                    .withValue("ctta.pipelines", ConfigValueFactory.fromIterable(pipelines));
            Config full = user.withFallback(ConfigFactory.load()).resolve();
            StrategyRegistry registry = StrategyRegistry.load();
            CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                PredictionCodec codec = new PredictionCodec();
                for (Map.Entry<String, Map<String, Integer>> e : replayed.entrySet()) {
                    String format = e.getKey();
                    Map<String, Integer> labels = e.getValue();
                    List<PredictionRecord> out = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> c : TopicContents.read(kafka, Topics.predictions("p-" + format), labels.size())) {
                        out.add(codec.decode(c.value()));
                    }
                    assertEquals(labels.size(), out.size(), format + ": one prediction per replayed record");
                    Set<String> ids = new TreeSet<>();
                    for (PredictionRecord p : out) {
                        assertTrue(ids.add(p.id()), format + ": duplicate prediction " + p.id());
                        assertEquals(labels.get(p.id()), p.label(), format + ": label of " + p.id());
                        assertTrue(domains.get(format).contains(p.domain()), format + ": domain " + p.domain());
                        assertEquals(10, p.scores().length);
                    }
                    assertEquals(labels.keySet(), ids, format);
                    // Per-task (per-domain) online accuracy: every labelled prediction counted under its task.
                    Map<String, long[]> tasks = runtime.metrics().get("p-" + format).taskScores();
                    assertEquals(domains.get(format).stream().filter(d -> out.stream().anyMatch(p -> p.domain().equals(d))).toList(),
                            List.copyOf(new TreeSet<>(tasks.keySet())), format + ": one series per task");
                    assertEquals(labels.size(), tasks.values().stream().mapToLong(v -> v[0] + v[1]).sum(), format);
                }
            }
        }
    }
}
