package io.ctta.actors.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks config/grafana/ctta-dashboard.json: every PromQL expression (panels, annotations,
 * template variables) references only metric names the runtime publishes (docs/metrics.md plus the
 * drift, lag, memory and action meters), only known label names and PromQL functions, and every
 * panel uses the {@code ${DS_PROMETHEUS}} data source. The lists below are the contract; a
 * cross-check against the live registry belongs with the code that registers the meters.
 */
class GrafanaDashboardTest {

    /** Prometheus names from docs/metrics.md and the drift/guard meters (docs/drift.md). */
    static final Set<String> METRICS = Set.of(
            "ctta_records_consumed_total",
            "ctta_predictions_total",
            "ctta_dead_letters_total",
            "ctta_labelled_predictions_total",
            "ctta_prediction_errors_total",
            "ctta_prequential_error",
            "ctta_batch_latency_seconds",
            "ctta_batch_latency_seconds_bucket",
            "ctta_batch_latency_seconds_count",
            "ctta_batch_latency_seconds_sum",
            "ctta_batch_latency_seconds_max",
            "ctta_adaptation_duration_seconds",
            "ctta_batch_size",
            "ctta_adaptation_steps_total",
            "ctta_model_version",
            "ctta_prediction_entropy",
            "ctta_prediction_confidence",
            "jvm_memory_used_bytes",
            "ctta_drift_statistic",
            "ctta_drift_threshold",
            "ctta_drift_level",
            "ctta_drift_events_total",
            "ctta_consumer_lag",
            "ctta_native_memory_bytes",
            "ctta_actions_total");

    /** The panels the dashboard must have, each with the metric it must plot. */
    static final List<String[]> REQUIRED = List.of(
            new String[] {"Prequential error", "ctta_prequential_error"},
            new String[] {"Prediction entropy", "ctta_prediction_entropy"},
            new String[] {"Prediction confidence", "ctta_prediction_confidence"},
            new String[] {"Predictions per second", "ctta_predictions_total"},
            new String[] {"Batch latency p50 / p99", "ctta_batch_latency_seconds"},
            new String[] {"Adaptation steps by outcome", "ctta_adaptation_steps_total"},
            new String[] {"Model version", "ctta_model_version"},
            new String[] {"Dead letters", "ctta_dead_letters_total"},
            new String[] {"Drift statistic vs threshold", "ctta_drift_statistic"},
            new String[] {"Drift statistic vs threshold", "ctta_drift_threshold"},
            new String[] {"Drift events", "ctta_drift_events_total"},
            new String[] {"Consumer lag", "ctta_consumer_lag"},
            new String[] {"Native memory", "ctta_native_memory_bytes"});

    /** Label names the meters carry (pipeline meters: pipeline, strategy; plus their own). */
    static final Set<String> LABELS = Set.of("pipeline", "strategy", "outcome", "quantile", "le", "detector", "signal", "level",
            "action", "area", "id", "job", "instance");

    static final Set<String> FUNCTIONS = Set.of("rate", "irate", "increase", "sum", "max", "min", "avg", "count", "topk",
            "histogram_quantile", "clamp_min", "clamp_max", "changes", "delta", "deriv", "abs", "max_over_time", "min_over_time",
            "avg_over_time", "last_over_time", "label_values");

    static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset");

    private static final Path DASHBOARD = locate("config/grafana/ctta-dashboard.json");

    @Test
    void everyExpressionUsesKnownMetricsLabelsAndFunctions() throws IOException {
        JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = expressions(root);
        assertTrue(exprs.size() >= 15, "expressions found: " + exprs.size());
        Set<String> used = new TreeSet<>();
        for (String e : exprs) {
            Parsed p = parse(e);
            assertFalse(p.metrics.isEmpty(), "no metric in: " + e);
            for (String m : p.metrics) {
                assertTrue(METRICS.contains(m), "unknown metric '" + m + "' in: " + e);
            }
            for (String l : p.labels) {
                assertTrue(LABELS.contains(l), "unknown label '" + l + "' in: " + e);
            }
            for (String f : p.functions) {
                assertTrue(FUNCTIONS.contains(f), "unknown function '" + f + "' in: " + e);
            }
            used.addAll(p.metrics);
        }
        for (String[] req : REQUIRED) {
            JsonNode panel = panel(root, req[0]);
            assertTrue(panel != null, "missing panel '" + req[0] + "'");
            boolean plots = false;
            for (JsonNode t : panel.path("targets")) {
                plots |= parse(t.path("expr").asText()).metrics.contains(req[1]);
            }
            assertTrue(plots, "panel '" + req[0] + "' does not plot " + req[1]);
        }
        assertTrue(used.containsAll(List.of("ctta_drift_level", "ctta_actions_total", "ctta_records_consumed_total")), used.toString());
    }

    @Test
    void panelsUseTheDatasourceVariableAndAreWellFormed() throws IOException {
        JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertEquals("DS_PROMETHEUS", root.path("__inputs").path(0).path("name").asText());
        assertEquals("prometheus", root.path("__inputs").path(0).path("pluginId").asText());
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : panels(root)) {
            assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id"));
            JsonNode grid = p.path("gridPos");
            assertTrue(grid.has("x") && grid.has("y") && grid.has("w") && grid.has("h"), "gridPos of " + p.path("title"));
            assertTrue(grid.path("x").asInt() + grid.path("w").asInt() <= 24, "panel wider than the grid: " + p.path("title"));
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertEquals("${DS_PROMETHEUS}", p.path("datasource").path("uid").asText(), "datasource of " + p.path("title"));
            assertTrue(p.path("targets").size() > 0, "no targets in " + p.path("title"));
            for (JsonNode t : p.path("targets")) {
                assertEquals("${DS_PROMETHEUS}", t.path("datasource").path("uid").asText(), "target datasource in " + p.path("title"));
                assertFalse(t.path("refId").asText().isEmpty());
            }
        }
        boolean hasVariable = false;
        for (JsonNode v : root.path("templating").path("list")) {
            hasVariable |= v.path("name").asText().equals("pipeline");
        }
        assertTrue(hasVariable, "a $pipeline variable");
    }

    /** The parser itself, on expressions written for the purpose. */
    @Test
    void parserFindsMetricsLabelsAndFunctions() {
        Parsed p = parse("sum by (pipeline, outcome) (rate(ctta_adaptation_steps_total{pipeline=~\"$pipeline\", outcome!=\"none\"}[$__rate_interval]))"
                + " / on(pipeline) group_left ctta_model_version offset 5m > bool 0.5");
        assertEquals(Set.of("ctta_adaptation_steps_total", "ctta_model_version"), p.metrics);
        assertEquals(Set.of("pipeline", "outcome"), p.labels);
        assertEquals(Set.of("sum", "rate"), p.functions);
        Parsed v = parse("label_values(ctta_predictions_total, pipeline)");
        assertEquals(Set.of("ctta_predictions_total"), v.metrics);
        assertEquals(Set.of("pipeline"), v.labels);
        assertEquals(Set.of("ctta_prequential_error", "x_total"), parse("ctta_prequential_error{a=\"{b}\"} + x_total").metrics);
    }

    /** What an expression references. */
    record Parsed(Set<String> metrics, Set<String> labels, Set<String> functions) {
    }

    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)\\s*$");

    /**
     * A small PromQL reader, enough for dashboards: strings are blanked, label matchers inside
     * braces give label names, grouping clauses ({@code by (...)}, {@code on(...)}) give label names,
     * range selectors are dropped, Grafana variables are dropped; of the remaining identifiers,
     * those followed by "(" are functions, keywords are skipped, and the rest are metric names.
     */
    static Parsed parse(String expr) {
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> labels = new LinkedHashSet<>();
        Set<String> functions = new LinkedHashSet<>();
        Matcher lv = LABEL_VALUES.matcher(expr);
        if (lv.matches()) {
            metrics.add(lv.group(1));
            labels.add(lv.group(2));
            return new Parsed(metrics, labels, functions);
        }
        // blank string literals (they may hold braces or anything) but keep their place
        StringBuilder s = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' && (i == 0 || expr.charAt(i - 1) != '\\')) {
                inString = !inString;
                s.append('"');
            } else {
                s.append(inString ? ' ' : c);
            }
        }
        String text = s.toString().replaceAll("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*}?", " ");
        // label matchers
        StringBuilder outside = new StringBuilder();
        int depth = 0;
        StringBuilder inside = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '{') {
                depth++;
                inside.setLength(0);
                outside.append(' ');
            } else if (c == '}') {
                depth--;
                Matcher m = MATCHER_LABEL.matcher(inside);
                while (m.find()) {
                    labels.add(m.group(1));
                }
                outside.append(' ');
            } else if (depth > 0) {
                inside.append(c);
            } else {
                outside.append(c);
            }
        }
        String rest = outside.toString().replaceAll("\\[[^]]*]", " ");
        // grouping label lists
        Matcher g = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)").matcher(rest);
        StringBuilder noGroups = new StringBuilder();
        while (g.find()) {
            for (String l : g.group(2).split(",")) {
                if (!l.isBlank()) {
                    labels.add(l.trim());
                }
            }
            g.appendReplacement(noGroups, " ");
        }
        g.appendTail(noGroups);
        rest = noGroups.toString().replace('"', ' ');
        Matcher id = IDENT.matcher(rest);
        while (id.find()) {
            String word = id.group();
            if (id.start() > 0 && Character.isDigit(rest.charAt(id.start() - 1))) {
                continue; // the unit of a duration or the exponent of a number (5m, 1e3)
            }
            int next = id.end();
            while (next < rest.length() && rest.charAt(next) == ' ') {
                next++;
            }
            if (next < rest.length() && rest.charAt(next) == '(') {
                functions.add(word);
            } else if (!KEYWORDS.contains(word)) {
                metrics.add(word);
            }
        }
        return new Parsed(metrics, labels, functions);
    }

    private static List<String> expressions(JsonNode root) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : panels(root)) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        for (JsonNode a : root.path("annotations").path("list")) {
            if (a.has("expr")) {
                out.add(a.path("expr").asText());
            }
        }
        for (JsonNode v : root.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                JsonNode q = v.path("query");
                out.add(q.isObject() ? q.path("query").asText() : q.asText());
            }
        }
        return out;
    }

    /** Every panel, including those nested in collapsed rows. */
    private static List<JsonNode> panels(JsonNode root) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : root.path("panels")) {
            out.add(p);
            for (JsonNode nested : p.path("panels")) {
                out.add(nested);
            }
        }
        return out;
    }

    private static JsonNode panel(JsonNode root, String title) {
        for (JsonNode p : panels(root)) {
            if (p.path("title").asText().equals(title)) {
                return p;
            }
        }
        return null;
    }

    /** The file, from the module directory (Maven) or the repository root (an IDE). */
    private static Path locate(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
