package io.ctta.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A SASL_PLAINTEXT/PLAIN broker: known users get in, a wrong password is refused before anything is written. */
class EmbeddedKafkaSaslTest {

    private static final String ADMIN_PW = "admin-pw-4f1c";
    /** Quote and backslash check the JAAS escaping on both sides. */
    private static final String ALICE_PW = "alice \"pw\" \\ 9b2e";
    private static final String WRONG_PW = "wrong-pw-77d0";
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        long t0 = System.nanoTime();
        kafka = EmbeddedKafka.start(null, EmbeddedKafka.Sasl.plain("admin", ADMIN_PW).withUser("alice", ALICE_PW));
        System.out.printf("SASL broker started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void closeBroker() {
        kafka.close();
    }

    private static Properties producer(String user, String password) {
        Properties p = Clients.producer(kafka.bootstrapServers(), kafka.clientProperties(user, password));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        return p;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String user, String password, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                Clients.consumer(kafka.bootstrapServers(), kafka.clientProperties(user, password), "g-" + System.nanoTime()));
        c.subscribe(List.of(topic));
        return c;
    }

    private static List<String> consume(KafkaConsumer<byte[], byte[]> c, int expected) {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                got.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return got;
    }

    private static void send(String user, String password, String topic, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producer(user, password))) {
            p.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRightPasswordProducesAndConsumesAcrossARestart() throws Exception {
        String topic = "sasl-ok";
        kafka.createTopics(1, topic); // authenticates as the admin user
        assertTrue(kafka.saslEnabled());
        send("alice", ALICE_PW, topic, "one");
        try (KafkaConsumer<byte[], byte[]> c = consumer("alice", ALICE_PW, topic)) {
            assertEquals(List.of("one"), consume(c, 1));
        }
        kafka.restart();
        send("admin", ADMIN_PW, topic, "two");
        try (KafkaConsumer<byte[], byte[]> c = consumer("alice", ALICE_PW, topic)) {
            assertEquals(List.of("one", "two"), consume(c, 2), "same users and data after restart");
        }
    }

    @Test
    void aWrongPasswordFailsClosedAndIsNotLogged() throws Exception {
        String topic = "sasl-refused";
        kafka.createTopics(1, topic);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        // slf4j-simple writes to whatever System.err is at the time of each log call.
        System.setErr(new PrintStream(new TeeStream(err, log), true, StandardCharsets.UTF_8));
        try {
            ExecutionException send = assertThrows(ExecutionException.class, () -> send("alice", WRONG_PW, topic, "x"));
            assertInstanceOf(SaslAuthenticationException.class, send.getCause(), send::toString);

            try (KafkaConsumer<byte[], byte[]> c = consumer("alice", WRONG_PW, topic)) {
                assertThrows(SaslAuthenticationException.class, () -> c.poll(Duration.ofSeconds(15)));
            }

            Map<String, Object> wrongAdmin = new java.util.HashMap<>(kafka.clientProperties("nobody", WRONG_PW));
            wrongAdmin.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(wrongAdmin)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e::toString);
            }
        } finally {
            System.setErr(err);
        }
        Map<String, Object> rightAdmin = new java.util.HashMap<>(kafka.clientProperties());
        rightAdmin.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(rightAdmin)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(15, TimeUnit.SECONDS).offset();
            assertEquals(0, end, "nothing was written with the wrong password");
        }
        String captured = log.toString(StandardCharsets.UTF_8);
        assertTrue(captured.contains("Authentication failed"), "the refusal is logged: " + captured);
        assertFalse(captured.contains(WRONG_PW), "the password is not logged");
    }

    @Test
    void credentialsAreValidatedAndNeverPrinted() {
        EmbeddedKafka.Sasl s = EmbeddedKafka.Sasl.plain("admin", ADMIN_PW).withUser("alice", ALICE_PW);
        assertFalse(s.toString().contains(ADMIN_PW) || s.toString().contains("alice \""), s.toString());
        assertThrows(IllegalArgumentException.class, () -> s.withUser("alice", "again"));
        assertThrows(IllegalArgumentException.class, () -> s.withUser("bad name", "pw"));
        assertThrows(IllegalArgumentException.class, () -> s.withUser("bob", ""));
        var e = assertThrows(IllegalArgumentException.class, () -> s.withUser("bob", "line\nbreak"));
        assertFalse(e.getMessage().contains("line"), "the rejected password is not echoed");
        Map<String, String> p = EmbeddedKafka.Sasl.clientProperties("bob", "pw");
        assertEquals("SASL_PLAINTEXT", p.get("security.protocol"));
        assertEquals("PLAIN", p.get("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bob\" password=\"pw\";",
                p.get("sasl.jaas.config"));
        assertTrue(kafka.toString().contains("SASL_PLAINTEXT") && !kafka.toString().contains(ADMIN_PW), kafka.toString());
    }

    /** Writes to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
