package io.ctta.actors.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ctta.actors.CttaRuntime;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.InvalidConfigException;
import io.ctta.actors.reliability.ReliabilityKit;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.embedded.EmbeddedKafka;
import io.ctta.streams.kafka.KafkaSettings;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The runtime against a SASL_PLAINTEXT/PLAIN cluster configured through
 * {@code ctta.kafka.client-properties}: the right password serves a pipeline end to end, a wrong one
 * fails the start at once with an error naming the cause and the key, and no password reaches a
 * message or the log (Kafka's own config dumps included, which are turned up to INFO here).
 */
class KafkaSaslRuntimeTest {

    private static final String ADMIN_PW = "admin-pw-51c3a0";
    private static final String CTTA_PW = "ctta-pw-0e97d2";
    private static final String WRONG_PW = "wrong-pw-8b44f1";
    private static final int RECORDS = 64;
    private static final StrategyRegistry REGISTRY = StrategyRegistry.load();
    /** Loggers of Kafka's client config dumps and auth errors, raised to INFO for the capture. */
    private static final List<String> KAFKA_LOGGERS = List.of("org.apache.kafka.clients", "org.apache.kafka.common");
    private static EmbeddedKafka kafka;

    private final Capture capture = new Capture();
    private final Map<String, Level> levels = new java.util.HashMap<>();

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(null, EmbeddedKafka.Sasl.plain("admin", ADMIN_PW).withUser("ctta", CTTA_PW));
    }

    @AfterAll
    static void closeBroker() {
        kafka.close();
    }

    @BeforeEach
    void captureLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);
        for (String name : KAFKA_LOGGERS) {
            Logger l = (Logger) LoggerFactory.getLogger(name);
            levels.put(name, l.getLevel());
            l.setLevel(Level.INFO);
        }
    }

    @AfterEach
    void stopCapture() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(capture);
        levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }

    /** Settings as a user writes them: bootstrap servers of the cluster, security under client-properties. */
    private static Config config(String name, String password) {
        String hocon = "ctta.http.enabled = false\n"
                + "ctta.kafka.bootstrap-servers = \"" + kafka.bootstrapServers() + "\"\n"
                + "ctta.guards.collapse.enabled = false\n"
                + "ctta.pipelines = [{ name = " + name + ", input-topic = " + name + ".in, strategy = source"
                + ", batch-size = 16, max-latency = 200ms, drift.detectors = [] }]";
        Config user = ConfigFactory.parseString(hocon)
                .withValue("ctta.kafka.client-properties", ConfigValueFactory.fromMap(kafka.clientProperties("ctta", password)));
        return user.withFallback(ConfigFactory.load()).resolve();
    }

    private static CttaRuntime start(Config full) {
        CttaSettings settings = CttaSettings.fromConfig(full.getConfig("ctta"), REGISTRY.names()::contains, REGISTRY.names());
        assertFalse(settings.kafka().embedded(), "an external cluster, not the embedded broker");
        return CttaRuntime.start(settings, full, REGISTRY, null);
    }

    @Test
    void theRightPasswordServesAPipelineEndToEnd() throws Exception {
        String name = "sasl-ok";
        kafka.createTopics(1, name + ".in");
        produce(name + ".in");
        Set<String> seen = new HashSet<>();
        long t0 = System.nanoTime();
        try (CttaRuntime runtime = start(config(name, CTTA_PW));
                KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings().consumer("check-" + System.nanoTime()))) {
            c.subscribe(List.of(Topics.predictions(name)));
            ReliabilityKit.collect(c, seen, RECORDS);
        }
        System.out.printf("SASL pipeline: %d predictions in %d ms%n", seen.size(), (System.nanoTime() - t0) / 1_000_000);
        assertEquals(RECORDS, seen.size());
        String log = capture.text();
        assertTrue(log.contains("sasl.jaas.config = [hidden]"), "Kafka's config dumps were captured and hide the JAAS line");
        assertFalse(log.contains(CTTA_PW), "the password is not logged");
    }

    @Test
    void aWrongPasswordFailsTheStartWithAClearError() {
        long t0 = System.nanoTime();
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> start(config("sasl-bad", WRONG_PW)).close());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("wrong password refused in %d ms: %s%n", ms, e.getMessage());
        assertTrue(ms < 30_000, "fails at once, not after retrying: " + ms + " ms");
        String m = e.getMessage();
        assertEquals("ctta.kafka.client-properties.sasl.jaas.config", e.key());
        assertTrue(m.contains("authentication failed") && m.contains("user 'ctta'") && m.contains("ctta.kafka.client-properties sasl.jaas.config"), m);
        assertFalse(m.contains(WRONG_PW), "the password is not in the message");
        String log = capture.text();
        assertTrue(log.contains("Authentication failed"), "Kafka's own error was captured");
        assertFalse(log.contains(WRONG_PW), "the password is not logged");
    }

    @Test
    void aPlaintextClientOnTheSaslListenerTimesOutWithAHint() {
        Properties plain = KafkaSettings.of(kafka.bootstrapServers()).admin();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> io.ctta.actors.KafkaPreflight.check(plain, Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains("answered within 2 s") && e.getMessage().contains("security.protocol"), e.getMessage());
    }

    private static KafkaSettings settings() {
        return new KafkaSettings(kafka.bootstrapServers(), kafka.clientProperties());
    }

    private static void produce(String topic) throws Exception {
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        java.util.Random rnd = new java.util.Random(3);
        Properties p = settings().producer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < RECORDS; i++) {
                float[] px = new float[784];
                for (int j = 0; j < px.length; j++) {
                    px[j] = rnd.nextInt(256);
                }
                InferenceRecord r = new InferenceRecord("s-" + i, "k", i, null, null, new Tensor(DType.UINT8, new int[] {1, 28, 28}, px));
                producer.send(new ProducerRecord<>(topic, null, "k".getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor()));
            }
            producer.flush();
        }
    }

    /** Every event's message and stack trace, as text. */
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        private final StringBuilder text = new StringBuilder();

        @Override
        protected void append(ILoggingEvent e) {
            text.append(e.getLoggerName()).append(' ').append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) {
                text.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
            }
        }

        synchronized String text() {
            return text.toString();
        }
    }
}
