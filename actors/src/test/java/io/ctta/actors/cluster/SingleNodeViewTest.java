package io.ctta.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.runtime.adapt.StrategyRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Without {@code ctta.cluster} a process keeps Pekko's local provider, and /api/cluster, the
 * dashboard's node list and the admin actions work the same way through its own node agent: one
 * node, its models, and "acted on" naming it.
 */
class SingleNodeViewTest {

    private static final String TOKEN = "single-node-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aSingleNodeListsItselfAndActsOnItsOwnModels() throws Exception {
        String hocon = "ctta.http { port = 0, admin-token = \"" + TOKEN + "\" }\n"
                + "ctta.pipelines = [{ name = solo, input-topic = solo.in, strategy = source, drift.detectors = [] }]\n";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "solo.in");
            try (CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers())) {
                assertEquals("local", runtime.system().settings().config().getString("pekko.actor.provider"));
                JsonNode view = new ObjectMapper().readTree(send(runtime, HttpRequest.newBuilder(uri(runtime, "/api/cluster")).GET()).body());
                assertFalse(view.get("clustered").asBoolean());
                assertEquals(1, view.get("nodes").size());
                JsonNode self = view.get("nodes").get(0);
                assertEquals(runtime.address(), self.get("address").asText());
                assertEquals("pekko://ctta", runtime.address());
                assertTrue(self.get("answered").asBoolean(), self.toString());
                assertEquals("solo", self.get("models").get(0).get("pipeline").asText());
                assertEquals("[]", self.get("models").get(0).get("assigned").toString(), "dynamic membership: partitions unknown");

                // An action reaches the pipeline's model actor, which its supervisor spawns once the
                // guardian started it, apart from CttaRuntime.start returning: RUNNING comes after it.
                runtime.states().when(all -> all.stream().allMatch(s -> s.state() == io.ctta.actors.health.PipelineState.RUNNING))
                        .get(120, java.util.concurrent.TimeUnit.SECONDS);
                HttpResponse<String> reset = send(runtime, HttpRequest.newBuilder(uri(runtime, "/admin/pipelines/solo/reset"))
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
                assertEquals(202, reset.statusCode(), reset.body());
                assertEquals("pipeline solo: reset to the source weights\nacted on: pekko://ctta\n", reset.body());
                HttpResponse<String> other = send(runtime, HttpRequest.newBuilder(uri(runtime, "/admin/pipelines/other/reset"))
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
                assertEquals(404, other.statusCode());
                assertEquals("no pipeline named other on this node\n", other.body());

                String page = send(runtime, HttpRequest.newBuilder(uri(runtime, "/")).GET()).body();
                assertTrue(page.contains("id=\"nodes-table\""), "the dashboard has the node list");
            }
        }
    }

    @Test
    void aNodeWhoseSeedNodesDoNotAnswerListsItselfAndHasNothingToLeave() throws Exception {
        int nobody;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        String hocon = "ctta.http.port = 0\n"
                + "ctta.cluster { enabled = true, port = 0, seed-nodes = [\"127.0.0.1:" + nobody + "\"] }\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "ctta.pipelines = [{ name = lonely, input-topic = lonely.in, strategy = source, drift.detectors = [] }]\n";
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ClusterMembership.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null)) {
            kafka.createTopics(1, "lonely.in");
            CttaRuntime runtime = CttaRuntime.start(settings, full, registry, kafka.bootstrapServers());
            try {
                JsonNode view = new ObjectMapper().readTree(send(runtime, HttpRequest.newBuilder(uri(runtime, "/api/cluster")).GET()).body());
                assertTrue(view.get("clustered").asBoolean());
                assertEquals(1, view.get("nodes").size(), view.toString());
                JsonNode self = view.get("nodes").get(0);
                assertEquals(runtime.address(), self.get("address").asText());
                assertEquals(ClusterView.NOT_A_MEMBER, self.get("status").asText(), "no seed answered: not joined");
                assertEquals("lonely", self.get("models").get(0).get("pipeline").asText());
            } finally {
                runtime.close();
                log.detachAppender(logged);
            }
        }
        assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().endsWith("is not a member: nothing to leave")),
                "close does not wait for a removal that cannot come");
    }

    private static URI uri(CttaRuntime runtime, String path) {
        return URI.create("http://127.0.0.1:" + runtime.httpPort() + path);
    }

    private static HttpResponse<String> send(CttaRuntime runtime, HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
