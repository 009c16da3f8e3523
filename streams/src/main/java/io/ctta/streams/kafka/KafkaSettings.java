package io.ctta.streams.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Client settings for one cluster: bootstrap servers plus pass-through security settings
 * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}), so the same code runs against the
 * embedded broker and a secured cluster. Other keys are refused: the runtime owns serializers, acks
 * and commit behaviour, and a pass-through must not silently change them.
 *
 * <p>{@link #toString()} redacts secrets; never log {@link #producer()} and friends directly.
 * Immutable.
 */
public final class KafkaSettings {

    private static final String REDACTED = "[redacted]";

    private final String bootstrapServers;
    private final Map<String, String> security;

    /**
     * @param bootstrapServers {@code host:port[,host:port...]}
     * @param security         security settings, may be empty; keys must be {@code security.protocol},
     *                         {@code sasl.*} or {@code ssl.*}
     * @throws IllegalArgumentException for an empty bootstrap list or a key that is not a security setting
     */
    public KafkaSettings(String bootstrapServers, Map<String, String> security) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers are empty; give host:port of at least one broker");
        }
        this.bootstrapServers = bootstrapServers.trim();
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : Objects.requireNonNull(security, "security").entrySet()) {
            String k = e.getKey();
            if (!isSecurityKey(k)) {
                throw new IllegalArgumentException("'" + k + "' is not a security setting; only security.protocol,"
                        + " sasl.* and ssl.* are passed through to Kafka clients");
            }
            copy.put(k, Objects.requireNonNull(e.getValue(), k));
        }
        this.security = Map.copyOf(copy);
    }

    /** Plain settings, no security. */
    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /** The bootstrap servers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Bootstrap servers and security settings only (admin clients and a base for the others). */
    public Properties admin() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(security);
        return p;
    }

    /** Idempotent {@code byte[]} producer, {@code acks=all}, lz4 batches. */
    public Properties producer() {
        Properties p = admin();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    /**
     * {@code byte[]} consumer in {@code groupId}; offsets are committed by the pipeline after
     * processing (at-least-once: auto-commit could commit records not yet processed), so auto-commit is off; a new group starts from the earliest offset.
     */
    public Properties consumer(String groupId) {
        Properties p = admin();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /** Whether {@code key} names a setting whose value must never be logged. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
                || k.contains("credential") || k.endsWith(".key");
    }

    private static boolean isSecurityKey(String key) {
        return key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) || key.startsWith("sasl.")
                || key.startsWith("ssl.");
    }

    /** Bootstrap servers and security settings, secret values replaced by {@code [redacted]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("KafkaSettings[bootstrap.servers=").append(bootstrapServers);
        new TreeMap<>(security).forEach((k, v) -> sb.append(", ").append(k).append('=')
                .append(isSecret(k) ? REDACTED : v));
        return sb.append(']').toString();
    }
}
