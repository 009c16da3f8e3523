package io.ctta.actors.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.InvalidConfigException;
import io.ctta.actors.model.ModelSource;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locked-down surface: HTTP on loopback by default, admin actions only with the bearer token
 * (refused outright when none is configured), the token never printed, model files confined to a
 * root and pinned by hash.
 */
class SecuritySurfaceTest {

    private static final String TOKEN = "s3cret-token-0123456789";
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();

    private static CttaSettings settings(String hocon) {
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        return CttaSettings.fromConfig(full.getConfig("ctta"), REGISTRY.names()::contains, REGISTRY.names());
    }

    @Test
    void adminActionsNeedTheBearerTokenAndTheTokenIsNeverPrinted() throws Exception {
        String hocon = "ctta.http.port = 0\nctta.http.admin-token = \"" + TOKEN + "\"\n"
                + "ctta.pipelines = [{ name = guarded, input-topic = sec.in, strategy = source }]";
        CttaSettings s = settings(hocon);
        assertEquals("127.0.0.1", s.http().host(), "loopback by default");
        assertFalse(s.toString().contains(TOKEN), "the token must not appear in logs");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null);
                CttaRuntime runtime = CttaRuntime.start(s, ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve(), REGISTRY, kafka.bootstrapServers())) {
            String base = "http://127.0.0.1:" + runtime.httpPort() + "/admin/pipelines/";
            assertEquals(401, post(base + "guarded/reset", null));
            assertEquals(401, post(base + "guarded/reset", "Bearer wrong-token-0123456789"));
            assertEquals(202, post(base + "guarded/reset", "Bearer " + TOKEN));
            assertEquals(202, post(base + "guarded/switch/norm", "Bearer " + TOKEN));
            assertEquals(400, post(base + "guarded/switch/nope", "Bearer " + TOKEN));
            assertEquals(404, post(base + "other/reset", "Bearer " + TOKEN));
        }
    }

    @Test
    void withoutATokenAdminActionsAreRefused() throws Exception {
        String hocon = "ctta.http.port = 0\nctta.pipelines = [{ name = open, input-topic = sec.in2, strategy = source }]";
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null);
                CttaRuntime runtime = CttaRuntime.start(settings(hocon), ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve(), REGISTRY, kafka.bootstrapServers())) {
            assertEquals(403, post("http://127.0.0.1:" + runtime.httpPort() + "/admin/pipelines/open/reset", "Bearer anything-at-all-000"));
        }
    }

    @Test
    void aShortTokenIsRejectedAtStartup() {
        var e = assertThrows(InvalidConfigException.class, () -> settings("ctta.http.admin-token = short"));
        assertEquals("ctta.http.admin-token", e.key());
        assertFalse(e.getMessage().contains("short"), "the rejected token is not echoed");
    }

    @Test
    void modelFilesAreConfinedToTheRootAndPinnedByHash(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("models"));
        Path outside = Files.writeString(tmp.resolve("outside.params"), "not weights");
        var escape = assertThrows(InvalidConfigException.class, () -> new ModelSource(settings(
                "ctta.model.root = \"" + root + "\"\nctta.model.weights = \"" + root.resolve("../outside.params") + "\"").model()));
        assertEquals("ctta.model.weights", escape.key());
        Files.createSymbolicLink(root.resolve("link.params"), outside);
        var link = assertThrows(InvalidConfigException.class, () -> new ModelSource(settings(
                "ctta.model.root = \"" + root + "\"\nctta.model.weights = \"link.params\"").model()));
        assertEquals("ctta.model.weights", link.key());
        Path inside = Files.writeString(root.resolve("w.params"), "some bytes");
        var pinned = assertThrows(InvalidConfigException.class, () -> new ModelSource(settings(
                "ctta.model.root = \"" + root + "\"\nctta.model.weights = \"w.params\"\nctta.model.sha256 = \"" + "0".repeat(64) + "\"").model()));
        assertEquals("ctta.model.sha256", pinned.key());
        assertTrue(pinned.getMessage().contains("w.params"), pinned.getMessage());
        assertTrue(Files.exists(inside));
    }

    private static int post(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
