package io.ctta.actors.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.record.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 12, metrics that tell the truth: no gauge exports NaN, an infinity or 1.8e308 (absent until
 * known), also before the first batch; the consumer lag is per partition and reads 0 once the
 * pipeline caught up (committed offset = log end); predictions are counted once each; admin
 * actions are logged with the pipeline's name.
 */
class MetricsTruthTest {

    private static final String TOKEN = "truth-token-0123456789";
    private static final int RECORDS = 300;

    @Test
    void gaugesAreFiniteLagIsCurrentPerPartitionAndAdminActionsNameThePipeline() throws Exception {
        String hocon = "ctta.http.port = 0\nctta.http.admin-token = \"" + TOKEN + "\"\n"
                + "ctta.pipelines = [{ name = truth, input-topic = truth.in, strategy = source, batch-size = 32, max-latency = 100ms }]";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(2, "truth.in");
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                String metricsUrl = "http://127.0.0.1:" + runtime.httpPort() + "/metrics";
                assertAllValuesFinite(get(metricsUrl), "fresh pipeline, before its first batch");

                ReliabilityKit.produceFloat32(kafka, "truth.in", 0, RECORDS, 2);
                Set<String> seen = new HashSet<>();
                try (KafkaConsumer<byte[], byte[]> c = ReliabilityKit.consumer(kafka, Topics.predictions("truth"), false)) {
                    ReliabilityKit.collect(c, seen, RECORDS);
                }
                LargeRecordTest.await(() -> runtime.metrics().get("truth").lag().equals(Map.of(0, 0L, 1, 0L)),
                        "ctta_consumer_lag{partition=0,1} to read 0 once caught up (now " + runtime.metrics().get("truth").lag() + ")");
                String text = get(metricsUrl);
                assertTrue(text.contains("ctta_consumer_lag{partition=\"0\",pipeline=\"truth\",strategy=\"source\"} 0.0"), text);
                assertTrue(text.contains("ctta_consumer_lag{partition=\"1\",pipeline=\"truth\",strategy=\"source\"} 0.0"), text);
                assertAllValuesFinite(text, "after " + RECORDS + " records");
                LargeRecordTest.await(() -> ReliabilityKit.counter(runtime, "ctta.predictions", "truth") >= RECORDS, "the predictions counter");
                assertEquals(RECORDS, ReliabilityKit.counter(runtime, "ctta.predictions", "truth"), "each acknowledged prediction counted once");

                Logger admin = (Logger) LoggerFactory.getLogger("io.ctta.actors.http.AdminRoutes");
                ListAppender<ILoggingEvent> logged = new ListAppender<>();
                logged.start();
                admin.addAppender(logged);
                try {
                    String base = "http://127.0.0.1:" + runtime.httpPort() + "/admin/pipelines/truth/";
                    for (String action : List.of("reset", "checkpoint", "switch/norm")) {
                        assertEquals(202, post(base + action));
                    }
                } finally {
                    admin.detachAppender(logged);
                }
                List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
                assertEquals(3, lines.size(), lines.toString());
                lines.forEach(l -> assertTrue(l.startsWith("pipeline truth: admin request: "), l));
                assertTrue(lines.get(2).contains("norm"), lines.get(2));
                lines.forEach(l -> assertTrue(!l.contains(TOKEN), "the token is never logged"));
            }
        }
    }

    /** Every sample value of a Prometheus text scrape is a finite number below 1e308. */
    private static void assertAllValuesFinite(String scrape, String when) {
        int samples = 0;
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String value = line.substring(line.lastIndexOf(' ') + 1);
            double v = Double.parseDouble(value);
            assertTrue(Double.isFinite(v) && Math.abs(v) < 1e308, when + ": " + line);
            samples++;
        }
        assertTrue(samples > 10, when + ": only " + samples + " samples");
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int post(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
