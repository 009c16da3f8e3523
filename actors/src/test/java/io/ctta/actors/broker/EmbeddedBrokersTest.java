package io.ctta.actors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.runtime.adapt.StrategyRegistry;
import org.junit.jupiter.api.Test;

/** The runtime library has no broker of its own: without a provider, an empty bootstrap-servers says what to do. */
class EmbeddedBrokersTest {

    @Test
    void withoutAProviderAnEmbeddedRunFailsNamingTheKeyAndTheModule() {
        // actors' test classpath has ctta-embedded-kafka but no provider (that lives in ctta-cli).
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddedBrokers.start(EmbeddedBrokerSpec.temporary()));
        assertTrue(e.getMessage().contains("set ctta.kafka.bootstrap-servers"), e.getMessage());
        assertTrue(e.getMessage().contains("ctta-embedded-kafka"), e.getMessage());
    }

    @Test
    void theRuntimeStartsNothingAndSaysSoWhenNoBrokerIsConfigured() {
        Config full = ConfigFactory.parseString("ctta.http.enabled = false\n"
                + "ctta.pipelines = [{ name = p, input-topic = in, strategy = source }]")
                .withFallback(ConfigFactory.load()).resolve();
        StrategyRegistry registry = StrategyRegistry.load();
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), registry.names()::contains, registry.names());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CttaRuntime.start(settings, full, registry, null));
        assertEquals(EmbeddedBrokers.MISSING, e.getMessage());
    }

    @Test
    void aSpecIsCheckedOnce() {
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedBrokerSpec(null, 65536, 1));
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedBrokerSpec(null, 0, 0));
    }
}
