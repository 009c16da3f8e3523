package io.ctta.benchmarks.continual;

import com.typesafe.config.ConfigRenderOptions;
import io.ctta.runtime.diagnostics.Plasticity;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the {@link ContinualBench} report into {@code options.out()}: {@code report.md} (per
 * stream: the verdict, the summary table, accuracy per task per learner, the settings each learner
 * ran with, final probes; the machine and the command), and per stream
 * {@code accuracy-<stream>.png}, {@code diagnostics-<stream>.png} and {@code per-task-<stream>.csv}.
 */
public final class ContinualReport {

    /** The share of the tasks at each end of the stream that the table and the verdict average over. */
    static final double FRACTION = 0.2;

    private final ContinualBenchOptions options;
    private final List<StreamResult> results;
    private final String machine;

    ContinualReport(ContinualBenchOptions options, List<StreamResult> results, String machine) {
        this.options = options;
        this.results = List.copyOf(results);
        this.machine = machine;
    }

    /** Writes the report files. */
    void write() throws IOException {
        Path dir = options.out();
        Files.createDirectories(dir);
        for (StreamResult r : results) {
            String s = r.stream().optionName();
            BitmapEncoder.saveBitmap(accuracyChart(r), dir.resolve("accuracy-" + s + ".png").toString(),
                    BitmapEncoder.BitmapFormat.PNG);
            BitmapEncoder.saveBitmap(List.of(
                    probeChart(r, "Effective rank of penultimate features", "effective rank", Plasticity.Probe::effectiveRank),
                    probeChart(r, "Dead penultimate ReLU units", "fraction dead", Plasticity.Probe::deadUnitFraction),
                    probeChart(r, "Mean weight magnitude", "mean |w|", Plasticity.Probe::meanWeightMagnitude),
                    plasticityChart(r)), 2, 2, dir.resolve("diagnostics-" + s + ".png").toString(),
                    BitmapEncoder.BitmapFormat.PNG);
            Files.writeString(dir.resolve("per-task-" + s + ".csv"), csv(r), StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
    }

    /** The verdict of each stream, in run order. */
    public List<Verdict> verdicts() {
        return results.stream().map(r -> Verdict.of(r, FRACTION)).toList();
    }

    /** The results of each stream, in run order. */
    public List<StreamResult> results() {
        return results;
    }

    /** What the console shows: per stream its table and verdict. */
    String summary() {
        StringBuilder b = new StringBuilder();
        for (StreamResult r : results) {
            b.append(r.stream()).append('\n').append(table(r)).append(Verdict.of(r, FRACTION).sentence()).append("\n\n");
        }
        return b.toString();
    }

    /** The summary table of one stream in Markdown. */
    static String table(StreamResult result) {
        StringBuilder b = new StringBuilder();
        b.append("| strategy | online acc. first 20 % tasks | online acc. last 20 % tasks | change | sample plasticity"
                + " first / last 20 % | dead units (final) | effective rank (final) | mean abs weight (final) | samples/s |"
                + " steps applied / skipped / diverged |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (StrategyRun r : result.runs()) {
            double first = StrategyRun.mean(r.taskAccuracy(), 0, FRACTION);
            double last = StrategyRun.mean(r.taskAccuracy(), 1 - FRACTION, 1);
            Plasticity.Probe p = r.finalProbe();
            b.append(String.format(Locale.ROOT,
                    "| %s | %.3f | %.3f | %+.3f | %s / %s | %.3f | %.1f of %d | %.4f | %.0f | %d / %d / %d |%n",
                    r.strategy(), first, last, last - first,
                    fmt(StrategyRun.mean(r.taskPlasticity(), 0, FRACTION)),
                    fmt(StrategyRun.mean(r.taskPlasticity(), 1 - FRACTION, 1)),
                    p.deadUnitFraction(), p.effectiveRank(), p.featureDim(), p.meanWeightMagnitude(),
                    r.samplesPerSecond(), r.applied(), r.skipped(), r.diverged()));
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** The whole report in Markdown. */
    String markdown() {
        ContinualBenchOptions o = options;
        StringBuilder b = new StringBuilder();
        b.append("# Continual benchmark: permuted Fashion-MNIST\n\n");
        b.append(String.format(Locale.ROOT, "Preset `%s`, model `%s` (every learner from the same seeded"
                + " initialisation), %d tasks of %d samples (%d task switches), batches of %d, seed %d; prequential: each"
                + " batch is predicted (and scored) before the learner learns its labels. %d intra-op thread(s).%n%n",
                o.preset(), o.model(), o.tasks(), o.taskLength(), o.tasks() - 1, o.batch(), o.seed(), o.threads()));
        b.append("Command: `").append(o.command()).append("`\n\n");
        b.append("Machine: ").append(machine).append("\n\n");
        b.append("## Verdict\n\n");
        for (Verdict v : verdicts()) {
            b.append("- ").append(v.sentence()).append('\n');
        }
        b.append("\nOne seed; the reference code's diagnostic runs average 20 seeds of 1 M"
                + " steps.\n\n");
        for (StreamResult r : results) {
            String s = r.stream().optionName();
            b.append("## ").append(s).append("\n\n");
            b.append(table(r)).append('\n');
            b.append(String.format(Locale.ROOT, "![online accuracy per task](accuracy-%s.png)%n%n"
                    + "![diagnostics](diagnostics-%s.png)%n%n", s, s));
            b.append("Settings each learner ran with (`strategies.<strategy>` blocks):\n\n| learner | strategy | settings |\n"
                    + "|---|---|---|\n");
            for (StrategyPlan p : r.plans()) {
                String rendered = p.settings().root().render(ConfigRenderOptions.concise()).replace("|", "\\|");
                b.append("| ").append(p.label()).append(" | ").append(p.strategy()).append(" | `")
                        .append(rendered.equals("{}") ? "(defaults)" : rendered).append("` |\n");
            }
            b.append("\nOnline accuracy per task:\n\n").append(perTaskTable(r)).append('\n');
            b.append("Final probes (srank, δ = 0.01):\n\n| strategy | srank | effective rank | dead units |\n"
                    + "|---|---:|---:|---:|\n");
            for (StrategyRun run : r.runs()) {
                Plasticity.Probe p = run.finalProbe();
                b.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.3f |%n", run.strategy(), p.srank(),
                        p.effectiveRank(), p.deadUnitFraction()));
            }
            b.append('\n');
        }
        b.append("## Definitions\n\n");
        b.append("- Online accuracy: the prequential accuracy of a task (predicted before learned); the table averages"
                + " it over the first and the last 20 % of the tasks, and so does the verdict.\n");
        b.append("- Sample plasticity (UPGD paper): `max(1 - L_after / L_before, 0)` of the batch-mean cross-entropy"
                + " re-evaluated right after each step, averaged per task.\n");
        b.append(String.format(Locale.ROOT, "- Dead units, effective rank (Roy-Vetterli, exp of the entropy of the"
                + " normalised singular values) and srank: penultimate features of %d test images, eval mode.%n",
                o.probeSamples()));
        b.append("- samples/s: predict + learn only (diagnostics excluded); the CPU may be shared, so timings are"
                + " rough.\n");
        return b.toString();
    }

    private static String perTaskTable(StreamResult r) {
        StringBuilder b = new StringBuilder("| task |");
        for (StrategyRun run : r.runs()) {
            b.append(' ').append(run.strategy()).append(" |");
        }
        b.append("\n|---:|").append("---:|".repeat(r.runs().size())).append('\n');
        int tasks = r.runs().get(0).taskAccuracy().length;
        for (int k = 0; k < tasks; k++) {
            b.append("| ").append(k + 1).append(" |");
            for (StrategyRun run : r.runs()) {
                b.append(String.format(Locale.ROOT, " %.3f |", run.taskAccuracy()[k]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String csv(StreamResult r) {
        StringBuilder b = new StringBuilder("task");
        for (StrategyRun run : r.runs()) {
            b.append(',').append(run.strategy()).append(".accuracy,").append(run.strategy()).append(".sample_plasticity");
        }
        b.append('\n');
        int tasks = r.runs().get(0).taskAccuracy().length;
        for (int k = 0; k < tasks; k++) {
            b.append(k + 1);
            for (StrategyRun run : r.runs()) {
                b.append(String.format(Locale.ROOT, ",%.5f,%.5f", run.taskAccuracy()[k], run.taskPlasticity()[k]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private XYChart chart(String title, String x, String y, int width, int height) {
        XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setMarkerSize(3);
        return c;
    }

    private XYChart accuracyChart(StreamResult result) {
        XYChart c = chart(String.format(Locale.ROOT, "Online accuracy per task, %s Fashion-MNIST, %s (%d samples/task)",
                result.stream(), options.model(), options.taskLength()), "task", "online accuracy", 1000, 560);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        for (StrategyRun r : result.runs()) {
            XYSeries s = c.addSeries(r.strategy(), tasks(r.taskAccuracy().length), r.taskAccuracy());
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    private XYChart probeChart(StreamResult result, String title, String y, ToDoubleFunction<Plasticity.Probe> value) {
        XYChart c = chart(title, "tasks completed", y, 600, 400);
        for (StrategyRun r : result.runs()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (StrategyRun.ProbePoint p : r.probes()) {
                xs.add((double) p.tasks());
                ys.add(value.applyAsDouble(p.probe()));
            }
            c.addSeries(r.strategy(), xs, ys);
        }
        return c;
    }

    private XYChart plasticityChart(StreamResult result) {
        XYChart c = chart("Sample plasticity per task", "task", "sample plasticity", 600, 400);
        for (StrategyRun r : result.runs()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int k = 0; k < r.taskPlasticity().length; k++) {
                if (!Double.isNaN(r.taskPlasticity()[k])) {
                    xs.add(k + 1.0);
                    ys.add(r.taskPlasticity()[k]);
                }
            }
            if (xs.isEmpty()) {
                xs.add(0.0);
                ys.add(0.0);
            }
            c.addSeries(r.strategy(), xs, ys).setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    private static double[] tasks(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }
}
