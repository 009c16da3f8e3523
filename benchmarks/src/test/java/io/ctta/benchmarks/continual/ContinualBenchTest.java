package io.ctta.benchmarks.continual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ctta.streams.data.FashionMnist;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A small run of the upgd-paper preset on real Fashion-MNIST: 2 tasks x 50 samples per stream. */
class ContinualBenchTest {

    @TempDir
    Path dir;

    @Test
    void aSmallUpgdPaperRunReportsEveryLearnerAndComputesTheVerdict() throws Exception {
        assumeTrue(Files.isDirectory(FashionMnist.defaultDirectory()), "Fashion-MNIST not installed at "
                + FashionMnist.defaultDirectory());
        CommandLine cl = new CommandLine(new ContinualCommand());
        cl.parseArgs("--preset", "upgd-paper", "--tasks", "2", "--task-length", "50", "--probe-samples", "16",
                "--out", dir.toString());
        ContinualBenchOptions o = ((ContinualCommand) cl.getCommand()).options();
        ContinualReport report = ContinualBench.runAndReport(o, new PrintStream(OutputStream.nullOutputStream()));

        List<String> learners = List.of("sgd", "adam", "upgd", "upgd-nonprotecting", "sgd+spectral");
        assertEquals(2, report.results().size());
        String md = Files.readString(dir.resolve("report.md"));
        for (StreamResult r : report.results()) {
            assertEquals(learners, r.runs().stream().map(StrategyRun::strategy).toList());
            for (StrategyRun run : r.runs()) {
                assertEquals(100, run.samples(), run.strategy());
                assertTrue(run.applied() > 0, run.strategy() + " never learned");
                assertEquals(2, run.taskAccuracy().length);
            }
            String s = r.stream().optionName();
            for (String f : List.of("accuracy-" + s + ".png", "diagnostics-" + s + ".png", "per-task-" + s + ".csv")) {
                assertTrue(Files.size(dir.resolve(f)) > 0, f);
            }
        }
        for (String learner : learners) {
            assertTrue(md.contains("| " + learner + " | "), learner + " missing from the report");
        }
        // The paper's settings per stream, and the non-protecting ablation as upgd with its form.
        StrategyPlan upgdLabel = report.results().get(0).plans().get(2);
        StrategyPlan upgdInput = report.results().get(1).plans().get(2);
        assertEquals(0.9, upgdLabel.settings().getDouble("beta-utility"));
        assertEquals(0.9999, upgdInput.settings().getDouble("beta-utility"));
        StrategyPlan nonProtecting = report.results().get(0).plans().get(3);
        assertEquals("upgd", nonProtecting.strategy());
        assertEquals("non-protecting", nonProtecting.settings().getString("form"));

        // The verdict comes from the numbers: the sentence quotes UPGD's, SGD's and Adam's last-task means.
        List<Verdict> verdicts = report.verdicts();
        assertEquals(2, verdicts.size());
        for (int i = 0; i < verdicts.size(); i++) {
            StreamResult r = report.results().get(i);
            Verdict v = verdicts.get(i);
            assertTrue(v.beatsBoth().isPresent());
            double u = StrategyRun.mean(r.runs().get(2).taskAccuracy(), 0.8, 1);
            double g = StrategyRun.mean(r.runs().get(0).taskAccuracy(), 0.8, 1);
            double a = StrategyRun.mean(r.runs().get(1).taskAccuracy(), 0.8, 1);
            assertEquals(u > g && u > a, v.beatsBoth().get());
            assertTrue(v.sentence().contains(String.format(Locale.ROOT, "%.3f against %.3f (SGD) and %.3f (Adam)", u, g, a)),
                    v.sentence());
            assertTrue(md.contains(v.sentence()), "report lacks: " + v.sentence());
        }
        assertTrue(md.contains("Command: `ctta bench continual --preset upgd-paper --tasks 2"), md);
        assertTrue(md.contains("Machine: "), md);
    }
}
