package io.ctta.benchmarks.continual;

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

/** Writes the {@link ContinualBench} report: Markdown table, PNG plots and a per-task CSV. */
final class ContinualReport {

    private static final double FRACTION = 0.2;

    private final ContinualBenchOptions options;
    private final List<StrategyRun> runs;

    ContinualReport(ContinualBenchOptions options, List<StrategyRun> runs) {
        this.options = options;
        this.runs = List.copyOf(runs);
    }

    /** Writes {@code report.md}, {@code accuracy.png}, {@code diagnostics.png} and {@code per-task.csv}. */
    void write() throws IOException {
        Path dir = options.out();
        Files.createDirectories(dir);
        BitmapEncoder.saveBitmap(accuracyChart(), dir.resolve("accuracy.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(List.of(
                probeChart("Effective rank of penultimate features", "effective rank", Plasticity.Probe::effectiveRank),
                probeChart("Dead penultimate ReLU units", "fraction dead", Plasticity.Probe::deadUnitFraction),
                probeChart("Mean weight magnitude", "mean |w|", Plasticity.Probe::meanWeightMagnitude),
                plasticityChart()), 2, 2, dir.resolve("diagnostics.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.writeString(dir.resolve("per-task.csv"), csv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
    }

    /** The results table in Markdown. */
    String table() {
        StringBuilder b = new StringBuilder();
        b.append("| strategy | online acc. first 20 % tasks | online acc. last 20 % tasks | change | sample plasticity"
                + " first / last 20 % | dead units (final) | effective rank (final) | mean abs weight (final) | samples/s |"
                + " steps applied / skipped / diverged |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (StrategyRun r : runs) {
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

    private String markdown() {
        ContinualBenchOptions o = options;
        StringBuilder b = new StringBuilder();
        b.append("# Continual benchmark: ").append(o.stream()).append("-permuted Fashion-MNIST\n\n");
        b.append(String.format(Locale.ROOT, "%d tasks of %d samples (%d task switches), batches of %d, seed %d, the"
                + " built-in CNN from the same seeded initialisation for every strategy; prequential: each batch is"
                + " predicted (and scored) before the strategy learns its labels. %d intra-op thread(s).%n%n",
                o.tasks(), o.taskLength(), o.tasks() - 1, o.batch(), o.seed(), o.threads()));
        if (!o.settings().isBlank()) {
            b.append("Settings: `").append(o.settings().replace('\n', ' ')).append("`\n\n");
        }
        b.append(table()).append('\n');
        b.append("- Online accuracy: the mean of the per-task prequential accuracies over the first and the last 20 %"
                + " of the tasks.\n");
        b.append("- Sample plasticity (UPGD paper): `max(1 - L_after / L_before, 0)` of the batch-mean cross-entropy"
                + " re-evaluated right after each step, averaged per task.\n");
        b.append(String.format(Locale.ROOT, "- Dead units, effective rank (Roy-Vetterli, exp of the entropy of the"
                + " normalised singular values) and srank: penultimate features of %d test images, eval mode.%n",
                o.probeSamples()));
        b.append("- samples/s: predict + learn only (diagnostics excluded); the CPU may be shared, so timings are"
                + " rough.\n\n");
        b.append("![online accuracy per task](accuracy.png)\n\n![diagnostics](diagnostics.png)\n\n");
        b.append("Final probes (srank, δ = 0.01):\n\n| strategy | srank | effective rank | dead units |\n|---|---:|---:|---:|\n");
        for (StrategyRun r : runs) {
            Plasticity.Probe p = r.finalProbe();
            b.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.3f |%n", r.strategy(), p.srank(), p.effectiveRank(),
                    p.deadUnitFraction()));
        }
        return b.toString();
    }

    private String csv() {
        StringBuilder b = new StringBuilder("task");
        for (StrategyRun r : runs) {
            b.append(',').append(r.strategy()).append(".accuracy,").append(r.strategy()).append(".sample_plasticity");
        }
        b.append('\n');
        for (int k = 0; k < options.tasks(); k++) {
            b.append(k + 1);
            for (StrategyRun r : runs) {
                b.append(String.format(Locale.ROOT, ",%.5f,%.5f", r.taskAccuracy()[k], r.taskPlasticity()[k]));
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

    private XYChart accuracyChart() {
        XYChart c = chart(String.format(Locale.ROOT, "Online accuracy per task, %s-permuted Fashion-MNIST (%d samples/task)",
                options.stream(), options.taskLength()), "task", "online accuracy", 1000, 560);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        for (StrategyRun r : runs) {
            XYSeries s = c.addSeries(r.strategy(), tasks(r.taskAccuracy().length), r.taskAccuracy());
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    private XYChart probeChart(String title, String y, ToDoubleFunction<Plasticity.Probe> value) {
        XYChart c = chart(title, "tasks completed", y, 600, 400);
        for (StrategyRun r : runs) {
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

    private XYChart plasticityChart() {
        XYChart c = chart("Sample plasticity per task", "task", "sample plasticity", 600, 400);
        for (StrategyRun r : runs) {
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
