package io.ctta.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.InvalidConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code ctta.cluster}: disabled by default, the Pekko settings it becomes when enabled, and the
 * mistakes that stop the start naming the key (no seed node, a bad port, a seed that is no
 * host:port).
 */
class ClusterSettingsTest {

    private static final Set<String> STRATEGIES = io.ctta.runtime.adapt.StrategyRegistry.load().names();

    private static CttaSettings load(String hocon) {
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
        return CttaSettings.fromConfig(full.getConfig("ctta"), STRATEGIES::contains, STRATEGIES);
    }

    private static InvalidConfigException rejects(String hocon) {
        return assertThrows(InvalidConfigException.class, () -> load(hocon));
    }

    @Test
    void disabledByDefault() {
        CttaSettings.ClusterConf c = load("").cluster();
        assertFalse(c.enabled());
        assertEquals(CttaSettings.ClusterConf.disabled(), c);
    }

    @Test
    void anEnabledClusterBecomesPekkosClusterProviderWithTheSplitBrainResolver() {
        CttaSettings.ClusterConf c = load("ctta.cluster { enabled = true, hostname = ctta-2.internal, port = 25521,"
                + " seed-nodes = [\"ctta-1.internal:25520\", \"pekko://ctta@ctta-2.internal:25521\"], roles = [gpu],"
                + " downing { strategy = keep-oldest, stable-after = 7s } }").cluster();
        assertEquals(List.of("pekko://ctta@ctta-1.internal:25520", "pekko://ctta@ctta-2.internal:25521"), c.seedNodes());
        Config pekko = ClusterMembership.pekkoConfig(c);
        assertEquals("cluster", pekko.getString("pekko.actor.provider"));
        assertEquals("ctta-2.internal", pekko.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(25521, pekko.getInt("pekko.remote.artery.canonical.port"));
        assertEquals(c.seedNodes(), pekko.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(List.of("gpu"), pekko.getStringList("pekko.cluster.roles"));
        assertEquals(ClusterMembership.SPLIT_BRAIN_RESOLVER, pekko.getString("pekko.cluster.downing-provider-class"));
        assertEquals("keep-oldest", pekko.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(Duration.ofSeconds(7), pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    }

    @Test
    void anEnabledClusterWithoutSeedNodesFailsNamingTheKey() {
        InvalidConfigException e = rejects("ctta.cluster.enabled = true");
        assertEquals("ctta.cluster.seed-nodes", e.key());
        assertTrue(e.getMessage().contains("at least one seed node"), e.getMessage());
    }

    @Test
    void aBadPortFailsNamingTheKey() {
        assertEquals("ctta.cluster.port", rejects("ctta.cluster { enabled = true, port = 70000, seed-nodes = [\"a:25520\"] }").key());
        assertEquals("ctta.cluster.port", rejects("ctta.cluster { enabled = true, port = many, seed-nodes = [\"a:25520\"] }").key());
    }

    @Test
    void aSeedThatIsNoHostAndPortFailsNamingItsIndex() {
        InvalidConfigException e = rejects("ctta.cluster { enabled = true, seed-nodes = [\"a:25520\", \"b\"] }");
        assertEquals("ctta.cluster.seed-nodes[1]", e.key());
        assertEquals("ctta.cluster.seed-nodes[0]", rejects("ctta.cluster { enabled = true, seed-nodes = [\"a:0\"] }").key());
        assertEquals("ctta.cluster.seed-nodes[0]", rejects("ctta.cluster { enabled = true, seed-nodes = [\"akka://other@a:1\"] }").key());
    }

    @Test
    void anUnknownDowningStrategyFailsNamingTheKey() {
        assertEquals("ctta.cluster.downing.strategy",
                rejects("ctta.cluster { enabled = true, seed-nodes = [\"a:25520\"], downing.strategy = lease-majority }").key());
    }
}
