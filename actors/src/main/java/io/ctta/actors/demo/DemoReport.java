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
 */
public record DemoReport(List<String> domains, Map<String, PredictionTally> tallies, Map<String, double[]> latencies) {

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
        return sb.toString();
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
