package io.ctta.actors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.StrategyRegistry;
import org.junit.jupiter.api.Test;

/** {@code ctta.kafka.producer.max-request-size}: Kafka's default unless set, validated once, naming the key. */
class ProducerLimitsConfigTest {

    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();

    private static CttaSettings settings(String hocon) {
        Config full = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
        return CttaSettings.fromConfig(full.getConfig("ctta"), REGISTRY.names()::contains, REGISTRY.names());
    }

    @Test
    void theDefaultIsKafkasAndASetValueIsKept() {
        assertEquals(1_048_576, settings("").kafka().maxRequestSize());
        assertEquals(4 << 20, settings("ctta.kafka.producer.max-request-size = 4194304").kafka().maxRequestSize());
    }

    @Test
    void aLimitTooSmallForADeadLetterIsRefusedNamingTheKey() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> settings("ctta.kafka.producer.max-request-size = 1000"));
        assertEquals("ctta.kafka.producer.max-request-size", e.key());
        assertTrue(e.getMessage().contains("16384"), e.getMessage());
    }
}
