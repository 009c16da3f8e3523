package io.ctta.benchmarks.continual;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.benchmarks.BenchCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class ContinualCommandTest {

    private static String run(StringWriter err, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.execute(args);
        return out.toString();
    }

    private static ContinualBenchOptions parse(String... args) {
        CommandLine cl = new CommandLine(new ContinualCommand());
        cl.parseArgs(args);
        return ((ContinualCommand) cl.getCommand()).options();
    }

    @Test
    void continualHelpListsItsOptions() {
        String help = run(new StringWriter(), "continual", "--help");
        // picocli formats descriptions with String.format and shows a bad one raw (a lone "%" breaks it).
        CommandLine.Model.CommandSpec spec = new CommandLine(new ContinualCommand()).getCommandSpec();
        List<String> texts = new java.util.ArrayList<>(List.of(spec.usageMessage().description()));
        spec.options().forEach(o -> texts.addAll(List.of(o.description())));
        for (String t : texts) {
            assertDoesNotThrow(() -> String.format(t), t);
        }
        for (String option : List.of("--preset", "--model", "--streams", "--strategies", "--tasks", "--task-length",
                "--batch", "--seed", "--settings", "--out", "upgd-paper", "mlp:784-300-150-10")) {
            assertTrue(help.contains(option), option + " missing from:\n" + help);
        }
    }

    @Test
    void theReportQuotesTheCommandOnceUnderCttaBench() {
        CommandLine root = new CommandLine(new BenchCommand());
        CommandLine.ParseResult pr = root.parseArgs("continual", "--preset", "upgd-paper", "--settings", "upgd { sigma = 0 }");
        ContinualCommand c = (ContinualCommand) pr.subcommand().commandSpec().userObject();
        assertEquals("ctta bench continual --preset upgd-paper --settings 'upgd { sigma = 0 }'", c.options().command());
    }

    @Test
    void reloopHelpListsItsOptions() {
        String help = run(new StringWriter(), "reloop", "--help");
        for (String option : List.of("--data", "--label", "--bases", "--variants", "--batch", "--delay-sec", "--seed",
                "--out")) {
            assertTrue(help.contains(option), option + " missing from:\n" + help);
        }
    }

    @Test
    void thePresetSetsTheProtocolAndExplicitOptionsWin() {
        ContinualBenchOptions p = parse("--preset", "upgd-paper");
        assertEquals("mlp:784-300-150-10", p.model());
        assertEquals(List.of(StreamKind.LABEL_PERMUTED, StreamKind.INPUT_PERMUTED), p.streams());
        assertEquals(List.of("sgd", "adam", "upgd", "upgd-nonprotecting", "sgd+spectral"), p.strategies());
        assertEquals(24, p.tasks());
        assertEquals(2500, p.taskLength());
        assertEquals(1, p.batch());
        assertEquals("ctta bench continual --preset upgd-paper", p.command());

        ContinualBenchOptions o = parse("--preset", "upgd-paper", "--tasks", "30", "--streams", "label-permuted",
                "--strategies", "sgd,upgd", "--batch", "4");
        assertEquals(30, o.tasks());
        assertEquals(4, o.batch());
        assertEquals(List.of(StreamKind.LABEL_PERMUTED), o.streams());
        assertEquals(List.of("sgd", "upgd"), o.strategies());

        ContinualBenchOptions d = parse();
        assertEquals(ContinualPreset.NONE, d.preset());
        assertEquals("builtin-cnn", d.model());
        assertEquals(16, d.batch());
        assertEquals("mlp:784-64-10", parse("--model", "mlp:784-64-10").model());
    }

    @Test
    void badOptionsFailNamingTheOption() {
        StringWriter err = new StringWriter();
        run(err, "continual", "--model", "mlp:784-300-5");
        assertTrue(err.toString().contains("--model") && err.toString().contains("10 classes"), err.toString());
        err = new StringWriter();
        run(err, "continual", "--preset", "upgd");
        assertTrue(err.toString().contains("--preset must be none or upgd-paper"), err.toString());
        err = new StringWriter();
        run(err, "continual", "--streams", "rotated");
        assertTrue(err.toString().contains("--streams takes label-permuted and/or input-permuted"), err.toString());
    }
}
