package io.ctta.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The preflight's failure paths that need no broker; the SASL paths are in KafkaSaslRuntimeTest. */
class KafkaPreflightTest {

    @Test
    void noBrokerFailsWithinTheTimeoutAndSaysWhatToCheck() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + port);
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KafkaPreflight.check(p, Duration.ofSeconds(2)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 15_000, "bounded: " + ms + " ms");
        assertTrue(e.getMessage().contains("no Kafka broker at 127.0.0.1:" + port + " answered within 2 s")
                && e.getMessage().contains("ctta.kafka.bootstrap-servers") && e.getMessage().contains("security.protocol"), e.getMessage());
    }

    @Test
    void secretsAreScrubbedFromMessages() {
        Properties p = new Properties();
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p4ss-word\";");
        p.put("ssl.truststore.password", "tru5t");
        p.put("security.protocol", "SASL_SSL");
        String s = KafkaPreflight.scrub("server said: bad password p4ss-word, store tru5t, protocol SASL_SSL", p);
        assertFalse(s.contains("p4ss-word") || s.contains("tru5t"), s);
        assertEquals("server said: bad password [redacted], store [redacted], protocol SASL_SSL", s);
    }
}
