package io.ctta.streams.kafka;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"u\" password=\"hunter2\";";

    @Test
    void toStringRedactsSecrets() {
        KafkaSettings s = new KafkaSettings("b1:9092,b2:9092", Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/etc/ts.jks",
                "ssl.truststore.password", "tspass",
                "ssl.key.password", "kpass",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----"));
        String text = s.toString();
        assertFalse(text.contains("hunter2"), text);
        assertFalse(text.contains("tspass"), text);
        assertFalse(text.contains("kpass"), text);
        assertFalse(text.contains("PRIVATE KEY"), text);
        assertTrue(text.contains("sasl.jaas.config=[redacted]"), text);
        assertTrue(text.contains("security.protocol=SASL_SSL"), text);
        assertTrue(text.contains("ssl.truststore.location=/etc/ts.jks"), text);
        assertTrue(text.contains("b1:9092,b2:9092"), text);

        // The secrets do reach the clients.
        Properties p = s.producer();
        assertEquals(JAAS, p.get("sasl.jaas.config"));
        assertEquals("all", p.get("acks"));
        assertEquals("true", p.get("enable.idempotence"));
        Properties c = s.consumer("g");
        assertEquals("false", c.get("enable.auto.commit"));
        assertEquals("SASL_SSL", s.admin().get("security.protocol"));
    }

    @Test
    void refusesNonSecurityKeysAndEmptyBootstrap() {
        assertThrows(IllegalArgumentException.class, () -> new KafkaSettings("b:1", Map.of("acks", "0")));
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.of(" "));
    }
}
