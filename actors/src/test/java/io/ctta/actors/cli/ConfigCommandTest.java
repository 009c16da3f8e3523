package io.ctta.actors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.actors.config.InvalidConfigException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ctta config check|defaults}, and the startup checks {@code ctta run} makes before anything starts. */
class ConfigCommandTest {

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {}

    private static Result ctta(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CttaCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private Path file(String hocon) throws Exception {
        Path f = dir.resolve("ctta.conf");
        Files.writeString(f, hocon);
        return f;
    }

    @Test
    void checkSaysOkWithWhatItChecked() throws Exception {
        Result r = ctta("config", "check", file("ctta.pipelines = [{ name = a, input-topic = t, strategy = tent }]").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("OK: 1 pipelines, \\d+ settings checked\\R"), r.out());
    }

    @Test
    void theShippedExamplesPassTheCheck() throws Exception {
        try (var files = Files.list(Path.of("../config/examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".conf")).toList()) {
                Result r = ctta("config", "check", f.toString());
                assertEquals(0, r.exit(), f + ": " + r.err());
            }
        }
    }

    @Test
    void checkListsEveryProblemOnePerLineAndExits2() throws Exception {
        Result r = ctta("config", "check", file("""
                ctta.checkpoint.dir = /tmp/x
                ctta.strategies.tent.lr = fast
                ctta.pipelines = [{ name = a, input-topic = t, strategy = tent, batch-sise = 8 }]
                """).toString());
        assertEquals(2, r.exit());
        String[] lines = r.err().split("\\R");
        assertEquals(4, lines.length, r.err());
        assertTrue(lines[0].endsWith("3 problems"), lines[0]);
        assertTrue(r.err().contains("did you mean 'ctta.checkpoints.dir'?") && r.err().contains("'ctta.strategies.tent.lr' = \"fast\"")
                && r.err().contains("did you mean 'ctta.pipelines[0].batch-size'?"), r.err());
    }

    @Test
    void aSyntaxErrorIsOneLineWithFileAndLine() throws Exception {
        Path f = file("ctta {\n  pipelines = [{ name = a, input-topic = t }]\n  http.port = = 3\n}\n");
        Result check = ctta("config", "check", f.toString());
        assertEquals(2, check.exit());
        assertEquals(1, check.err().strip().lines().count(), check.err());
        assertTrue(check.err().startsWith(f + ":3: syntax error: "), check.err());
        Result run = ctta("run", "--config", f.toString());
        assertEquals(2, run.exit());
        assertEquals(1, run.err().strip().lines().count(), "no stack trace: " + run.err());
        assertTrue(run.err().startsWith("error: " + f + ":3: syntax error: "), run.err());
    }

    @Test
    void defaultsListEveryDeclaredSettingFromTheDeclarations() {
        Result r = ctta("config", "defaults");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("ctta.strategies.tent.lr = 0.001  (double; a number > 0)  learning rate"), r.out());
        assertTrue(r.out().contains("ctta.pipeline-defaults.batch-size = 64  (int; an integer in [1, 65536])"), r.out());
        assertTrue(r.out().contains("ctta.checkpoints.interval = 1m"), r.out());
        assertTrue(r.out().contains("drift.detectors[j].settings.delta = 0.002"), r.out());
        int declared = Integer.parseInt(r.out().replaceAll("(?s).*# (\\d+) settings declared.*", "$1"));
        assertEquals(declared, r.out().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count());
    }

    @Test
    void anUnreadableWeightsFileFailsTheStartBeforeAnyBroker() throws Exception {
        Path weights = dir.resolve("source.params");
        Files.writeString(weights, "not a parameters file");
        // An unreachable broker: were Kafka contacted first, this would fail with KafkaUnavailableException.
        Path f = file("ctta.model.weights = \"" + weights + "\"\nctta.http.enabled = false\n"
                + "ctta.pipelines = [{ name = a, input-topic = t }]\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> RunCommand.start(f, "127.0.0.1:1", null));
        assertEquals("ctta.model.weights", e.key());
        assertTrue(e.getMessage().contains("a parameters file this model can load"), e.getMessage());
        // ctta config check finds it too.
        Result r = ctta("config", "check", f.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'ctta.model.weights'"), r.err());
    }

    @Test
    void aMissingModelFileFailsTheStartBeforeAnyBroker() throws Exception {
        Path f = file("ctta.model { kind = torchscript, path = \"" + dir.resolve("missing.pt") + "\" }\n"
                + "ctta.pipelines = [{ name = a, input-topic = t }]\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> RunCommand.start(f, "127.0.0.1:1", null));
        assertEquals("ctta.model.path", e.key());
    }
}
