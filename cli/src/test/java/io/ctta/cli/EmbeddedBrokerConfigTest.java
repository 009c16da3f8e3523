package io.ctta.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.cli.RunCommand;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ctta run` on the embedded broker: a configured port that is taken stops startup naming the key. */
class EmbeddedBrokerConfigTest {

    @Test
    void aTakenPortStopsStartupNamingTheKeyAndTheFix(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path conf = dir.resolve("run.conf");
            Files.writeString(conf, "ctta.http.enabled = false\n"
                    + "ctta.kafka.embedded { port = " + taken.getLocalPort() + ", data-dir = \"" + dir.resolve("kafka") + "\" }\n"
                    + "ctta.pipelines = [{ name = p, input-topic = in, strategy = source }]\n");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunCommand.start(conf, null, null));
            assertTrue(e.getMessage().contains("ctta.kafka.embedded.port = " + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertTrue(e.getMessage().contains("0 picks one"), e.getMessage());
        }
    }
}
