package io.ctta.actors;

import io.ctta.actors.config.InvalidConfigException;
import io.ctta.streams.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bounded round trip to Kafka before the runtime uses it: {@code describeCluster} with the
 * configured client settings. Kafka clients otherwise retry a refused login or an unreachable broker
 * in the background, so a wrong password would show up as pipelines that never start; this turns it
 * into a startup error naming the cause and the setting to fix. Messages and logs never contain a
 * secret: values of {@code *password*}, {@code *jaas*} and similar keys are scrubbed from them.
 */
public final class KafkaPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPreflight.class);
    /** Long enough for a slow cluster, short enough that a misconfigured start fails within a minute. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final String CLIENT_PROPERTIES = "ctta.kafka.client-properties";
    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern PASSWORD = Pattern.compile("password\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private KafkaPreflight() {}

    /** {@link #check(Properties, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static String check(Properties kafka) {
        return check(kafka, DEFAULT_TIMEOUT);
    }

    /**
     * Connects, authenticates and asks for the cluster id.
     *
     * @param kafka client settings: bootstrap servers and the pass-through security settings
     * @return the cluster id
     * @throws InvalidConfigException when the brokers refuse the login (SASL) or the TLS handshake
     *     fails; the key is the {@code ctta.kafka.client-properties} setting to fix
     * @throws IllegalStateException when no broker answers within {@code timeout}, or on another error
     */
    public static String check(Properties kafka, Duration timeout) {
        String bootstrap = kafka.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        Properties p = new Properties();
        p.putAll(kafka);
        String ms = Long.toString(timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (KafkaException e) {
            throw new InvalidConfigException(CLIENT_PROPERTIES, scrub("a Kafka client cannot be created from these settings: "
                    + rootMessage(e), kafka), e);
        }
        try {
            String clusterId = admin.describeCluster().clusterId().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            LOG.info("Kafka cluster {} at {} answered (security.protocol={}, sasl.mechanism={}{})", clusterId, bootstrap,
                    kafka.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"),
                    kafka.getProperty(SaslConfigs.SASL_MECHANISM, "-"), user(kafka).map(u -> ", user " + u).orElse(""));
            return clusterId;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to Kafka at " + bootstrap, e);
        } catch (TimeoutException e) {
            throw unreachable(bootstrap, timeout, kafka, e);
        } catch (ExecutionException e) {
            throw failure(bootstrap, timeout, kafka, e.getCause() == null ? e : e.getCause());
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private static RuntimeException failure(String bootstrap, Duration timeout, Properties kafka, Throwable cause) {
        if (cause instanceof SaslAuthenticationException) {
            String mechanism = kafka.getProperty(SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
            String who = user(kafka).map(u -> "user '" + u + "'").orElse("the configured user");
            return new InvalidConfigException(CLIENT_PROPERTIES + "." + SaslConfigs.SASL_JAAS_CONFIG, scrub(
                    "Kafka at " + bootstrap + " refused the login: SASL authentication failed for " + who + " (mechanism "
                            + mechanism + "): " + cause.getMessage() + ". Check the username and password in "
                            + CLIENT_PROPERTIES + " sasl.jaas.config, and sasl.mechanism", kafka), cause);
        }
        if (cause instanceof SslAuthenticationException) {
            return new InvalidConfigException(CLIENT_PROPERTIES, scrub("TLS handshake with Kafka at " + bootstrap + " failed: "
                    + rootMessage(cause) + ". Check ssl.truststore.* (does it trust the broker's certificate?), ssl.keystore.* "
                    + "and ssl.endpoint.identification.algorithm in " + CLIENT_PROPERTIES, kafka), cause);
        }
        if (cause instanceof AuthenticationException) {
            return new InvalidConfigException(CLIENT_PROPERTIES, scrub("authentication with Kafka at " + bootstrap + " failed: "
                    + rootMessage(cause) + ". Check security.protocol, sasl.* and ssl.* in " + CLIENT_PROPERTIES, kafka), cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return unreachable(bootstrap, timeout, kafka, cause);
        }
        return new KafkaUnavailableException(scrub("cannot use Kafka at " + bootstrap + ": " + cause, kafka), cause);
    }

    private static KafkaUnavailableException unreachable(String bootstrap, Duration timeout, Properties kafka, Throwable cause) {
        return new KafkaUnavailableException(scrub("no Kafka broker at " + bootstrap + " answered within " + timeout.toSeconds()
                + " s. Check ctta.kafka.bootstrap-servers, that the brokers run, and that security.protocol in "
                + CLIENT_PROPERTIES + " matches the listener (a TLS or SASL listener does not answer a PLAINTEXT client)", kafka), cause);
    }

    /** The user name of a {@code username="..."} JAAS option, if any; user names are not secret. */
    private static java.util.Optional<String> user(Properties kafka) {
        String jaas = kafka.getProperty(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas == null) {
            return java.util.Optional.empty();
        }
        Matcher m = USERNAME.matcher(jaas);
        return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
    }

    /** Replaces every secret setting's value, and the password inside a JAAS line, by {@code [redacted]}. */
    static String scrub(String message, Properties kafka) {
        List<String> secrets = new ArrayList<>();
        for (String k : kafka.stringPropertyNames()) {
            if (KafkaSettings.isSecret(k)) {
                String v = kafka.getProperty(k);
                secrets.add(v);
                Matcher m = PASSWORD.matcher(v);
                while (m.find()) {
                    secrets.add(m.group(1));
                }
            }
        }
        secrets.sort((a, b) -> b.length() - a.length());
        String out = message;
        for (String s : secrets) {
            if (!s.isEmpty()) {
                out = out.replace(s, "[redacted]");
            }
        }
        return out;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root.getMessage() + ")";
    }
}
