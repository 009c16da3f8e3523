package io.ctta.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.broker.EmbeddedBroker;
import io.ctta.actors.broker.EmbeddedBrokerSpec;
import io.ctta.actors.broker.EmbeddedBrokers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application's classpath finds the embedded broker through the runtime's SPI, on the asked port and directory. */
class EmbeddedKafkaProviderTest {

    @Test
    void theRuntimeFindsTheBrokerAndItServesOnTheAskedPortAndDirectory(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("kafka");
        try (EmbeddedBroker broker = EmbeddedBrokers.start(new EmbeddedBrokerSpec(data, port, 1))) {
            assertEquals("127.0.0.1:" + port, broker.bootstrapServers());
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
        }
        assertTrue(Files.isDirectory(data), "a configured data directory is kept");
    }

    @Test
    void theLauncherHasEveryCommand() {
        assertTrue(CttaMain.commandLine().getSubcommands().keySet().containsAll(java.util.Set.of("demo", "run", "replay", "bench")),
                CttaMain.commandLine().getSubcommands().keySet().toString());
    }
}
