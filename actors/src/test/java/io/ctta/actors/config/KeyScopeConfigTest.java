package io.ctta.actors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.StrategyRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code scope} and {@code key-states}: defaults, where evicted states go, and what fails at startup. */
class KeyScopeConfigTest {
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();

    private static CttaSettings load(String hocon) {
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
        return CttaSettings.fromConfig(full.getConfig("ctta"), REGISTRY.names()::contains, REGISTRY.names());
    }

    private static InvalidConfigException rejects(String hocon) {
        return assertThrows(InvalidConfigException.class, () -> load(hocon));
    }

    @Test
    void scopeIsPipelineByDefault() {
        var p = load("ctta.pipelines = [{ name = a, input-topic = t, strategy = tent }]").pipelines().get(0);
        assertEquals(CttaSettings.Scope.PIPELINE, p.scope());
        assertEquals(1000, p.keyStates().maxResident());
    }

    @Test
    void evictedStatesGoUnderTheCheckpointsOrTheConfiguredDirectory() {
        var p = load("ctta.checkpoints.dir = \"/tmp/ck\"\nctta.pipelines = [{ name = cams, input-topic = t, strategy = tent, scope = key,"
                + " key-states.max-resident = 5 }]").pipelines().get(0);
        assertEquals(CttaSettings.Scope.KEY, p.scope());
        assertEquals(5, p.keyStates().maxResident());
        assertEquals(Path.of("/tmp/ck", "cams", "key-states"), p.keyStates().dir());
        assertEquals(Path.of("/data/ks", "cams"), load("ctta.pipelines = [{ name = cams, input-topic = t, strategy = norm, scope = key,"
                + " key-states.dir = \"/data/ks\" }]").pipelines().get(0).keyStates().dir());
        assertNull(load("ctta.pipelines = [{ name = cams, input-topic = t, strategy = ecotta, scope = key }]").pipelines().get(0).keyStates().dir(),
                "without checkpoints: a temporary directory");
    }

    @Test
    void aStrategyThatAdaptsTheWholeNetworkFailsNamingScopeAndTheStrategiesThatWork() {
        for (String s : new String[] {"upgd", "rmt", "reloop2", "sgd"}) {
            var e = rejects("ctta.pipelines = [{ name = a, input-topic = t, strategy = " + s + ", scope = key }]");
            assertEquals("ctta.pipelines[0].scope", e.key(), s);
            assertTrue(e.getMessage().contains("ecotta, norm, source, tent"), e.getMessage());
        }
        var e = rejects("ctta.pipelines = [{ name = a, input-topic = t, strategy = tent, scope = key,"
                + " drift { action = switch-strategy, switch-to = rmt } }]");
        assertEquals("ctta.pipelines[0].scope", e.key());
        assertTrue(e.getMessage().contains("switch-to"), e.getMessage());
        assertEquals("ctta.pipelines[0].scope", rejects("ctta.pipelines = [{ name = a, input-topic = t, scope = camera }]").key());
        assertEquals("ctta.pipelines[0].key-states.max-resident",
                rejects("ctta.pipelines = [{ name = a, input-topic = t, scope = key, key-states.max-resident = 0 }]").key());
    }

    @Test
    void aKafkaCheckpointStoreNeedsADirectoryForEvictedStates() {
        var e = rejects("ctta.checkpoints.store = kafka\nctta.pipelines = [{ name = a, input-topic = t, strategy = tent, scope = key }]");
        assertEquals("ctta.pipelines[0].key-states.dir", e.key());
        assertTrue(e.getMessage().contains("store = kafka"), e.getMessage());
    }
}
