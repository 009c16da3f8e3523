package io.ctta.actors.demo;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table {@code ctta demo} prints and writes: error per domain and on average for each
 * strategy, then throughput and batch latency.
 *
 * @param domains domains in stream order
 * @param tallies predictions per strategy (pipeline order)
 * @param latencies p50 and p99 batch latency in ms per strategy
 * @param actions guard and drift actions per strategy (rollbacks, collapse resets, ...), by name
 * @param title what was run, for the plot: the stream, and the model when it is not the built-in one
 */
public record DemoReport(List<String> domains, Map<String, PredictionTally> tallies, Map<String, double[]> latencies,
        Map<String, Map<String, Long>> actions, String title) {

    /** A Markdown table, readable as plain text too. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        List<String> strategies = List.copyOf(tallies.keySet());
        sb.append(String.format(Locale.ROOT, "| %-26s |", "error % (lower is better)"));
        for (String s : strategies) {
            sb.append(String.format(Locale.ROOT, " %10s |", s));
        }
        sb.append('\n').append("|").append("-".repeat(28)).append("|");
        for (int i = 0; i < strategies.size(); i++) {
            sb.append("-----------:|");
        }
        sb.append('\n');
        for (String d : domains) {
            row(sb, d, strategies, s -> pct(tallies.get(s).error(d)));
        }
        row(sb, "**mean**", strategies, s -> pct(tallies.get(s).meanDomainError()));
        row(sb, "samples/s", strategies, s -> {
            PredictionTally t = tallies.get(s);
            return t.spanMs() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", t.count() * 1000.0 / t.spanMs());
        });
        row(sb, "batch p50 ms", strategies, s -> String.format(Locale.ROOT, "%.1f", latencies.get(s)[0]));
        row(sb, "batch p99 ms", strategies, s -> String.format(Locale.ROOT, "%.1f", latencies.get(s)[1]));
        row(sb, "predictions", strategies, s -> String.valueOf(tallies.get(s).count()));
        row(sb, "duplicates", strategies, s -> String.valueOf(tallies.get(s).duplicates()));
        row(sb, "guard actions", strategies, s -> {
            Map<String, Long> a = actions.getOrDefault(s, Map.of());
            long n = a.values().stream().mapToLong(Long::longValue).sum();
            return String.valueOf(n);
        });
        StringBuilder notes = new StringBuilder();
        actions.forEach((s, a) -> {
            if (!a.isEmpty()) {
                notes.append("\n").append(s).append(": ");
                a.forEach((name, n) -> notes.append(name).append(" x").append(n).append("  "));
            }
        });
        if (notes.length() > 0) {
            sb.append("\nGuard actions (docs/operations.md, \"Guards\"):").append(notes).append('\n');
        }
        return sb.toString();
    }

    /** A bar chart of the error per corruption for every strategy, as a PNG next to the table. */
    public void writePng(java.nio.file.Path png) throws java.io.IOException {
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(1200).height(520)
                .title(title).xAxisTitle("domain").yAxisTitle("error %").build();
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        List<String> labels = new java.util.ArrayList<>();
        for (String d : domains) {
            labels.add(d.replaceAll("-\\d$", ""));
        }
        labels.add("mean");
        for (Map.Entry<String, PredictionTally> e : tallies.entrySet()) {
            List<Double> values = new java.util.ArrayList<>();
            for (String d : domains) {
                double v = e.getValue().error(d);
                values.add(Double.isNaN(v) ? 0 : 100 * v);
            }
            values.add(100 * e.getValue().meanDomainError());
            chart.addSeries(e.getKey(), labels, values);
        }
        org.knowm.xchart.BitmapEncoder.saveBitmap(chart, png.toString(), org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
    }

    private static void row(StringBuilder sb, String label, List<String> strategies, java.util.function.Function<String, String> cell) {
        sb.append(String.format(Locale.ROOT, "| %-26s |", label));
        for (String s : strategies) {
            sb.append(String.format(Locale.ROOT, " %10s |", cell.apply(s)));
        }
        sb.append('\n');
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }
}
