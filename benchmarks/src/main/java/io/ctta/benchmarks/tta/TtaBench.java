package io.ctta.benchmarks.tta;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ctta.actors.demo.SourceModelCache;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code ctta bench tta}: every strategy over a stream (by default the continual Fashion-MNIST-C
 * stream, all corruptions at severity 5 in the standard order; or any reader's stream, e.g. a
 * stream directory) with a model (the built-in CNN, a TorchScript file, a built-in ResNet), no
 * resets between domains or rounds, for N rounds. In-process: the plain loop of the papers' code,
 * batches cut per domain, no Kafka, no actors and no guards; one worker JVM per strategy run one
 * after the other, so each has the machine to itself and its peak memory is its own.
 *
 * <p>Writes {@code report.md} and {@code error-along-stream.png} to the output directory.
 */
public final class TtaBench {

    /** The bench's settings. */
    /**
     * @param model a TorchScript {@code .pt}, a built-in ResNet's {@code .params}, or null for the built-in CNN
     *     (trained once on Fashion-MNIST, cached)
     * @param format the stream's reader, e.g. {@code stream-dir}; null for Fashion-MNIST-C
     * @param stream where the reader reads from (null for Fashion-MNIST-C)
     * @param streamOptions the reader's options
     * @param sourceData labelled source data as {@code FORMAT:PATH} for strategies that warm up (ecotta,
     *     rmt); null: Fashion-MNIST's training set for the built-in CNN, none for other models
     */
    public record Options(List<String> strategies, int rounds, int samplesPerDomain, int batchSize, long seed,
            int sourceSamples, Path outDir, Path fashionMnistDir, int trainEpochs, Path model, String format, Path stream,
            Map<String, String> streamOptions, String sourceData) {}

    private final Options o;
    private final PrintStream out;
    private final Map<String, String> failures = new LinkedHashMap<>();

    public TtaBench(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    /** The strategies whose worker failed in the last {@link #run}, with the reason each gave. */
    public Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    /**
     * Runs every worker and writes the report; returns the results by strategy. A strategy whose
     * worker fails is left out of the results, listed with its reason in the report and in
     * {@link #failures()}.
     */
    public Map<String, TtaWorkerResult> run() throws IOException, InterruptedException {
        Files.createDirectories(o.outDir());
        Path weights = o.model() != null ? o.model() : new SourceModelCache(SourceModelCache.defaultDir(), out)
                .weights(o.fashionMnistDir(), new TrainSettings(o.trainEpochs(), 128, 1e-3f, o.seed()), 60000);
        Map<String, TtaWorkerResult> results = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String s : o.strategies()) {
            Path result = o.outDir().resolve("worker-" + s + ".json");
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx3g", "-Dai.djl.offline=true",
                    "-cp", System.getProperty("java.class.path"),
                    TtaWorker.class.getName()));
            cmd.addAll(workerArguments(s, weights, result));
            out.printf("bench tta: %s (%s of %s) ...%n", s, o.rounds() == 1 ? "1 round" : o.rounds() + " rounds", streamDescription());
            Path log = o.outDir().resolve("worker-" + s + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(2, TimeUnit.HOURS)) {
                p.destroyForcibly();
                failures.put(s, "did not finish within 2 hours");
            } else if (p.exitValue() != 0) {
                failures.put(s, WorkerFailure.reason(log));
            }
            if (failures.containsKey(s)) {
                // One strategy the model cannot serve (e.g. ecotta on a module without stage methods)
                // must not cost the user the comparison of the others.
                out.printf("  %s did not run: %s (log: %s)%n", s, failures.get(s), log);
                continue;
            }
            TtaWorkerResult r = json.readValue(result.toFile(), TtaWorkerResult.class);
            results.put(s, r);
            out.printf("  mean error per round %s, %.0f samples/s, peak RSS %.0f MiB%n",
                    r.errors().stream().map(e -> String.format(Locale.ROOT, "%.1f%%", 100 * mean(e))).toList(),
                    r.adaptedSamplesPerSecond(), r.peakRssMiB());
        }
        if (results.isEmpty()) {
            throw new IllegalStateException("no strategy ran: " + failures);
        }
        String md = markdown(results);
        Files.writeString(o.outDir().resolve("report.md"), md);
        plot(results, o.outDir().resolve("error-along-stream.png"));
        out.println(md);
        out.println("Report: " + o.outDir().resolve("report.md") + " and error-along-stream.png");
        return results;
    }

    /** The worker's {@code name=value} arguments (reader options travel as {@code a:1,b:2}). */
    List<String> workerArguments(String strategy, Path model, Path result) {
        boolean fashionC = o.format() == null;
        Map<String, String> options = new LinkedHashMap<>(o.streamOptions());
        if (fashionC) {
            options.putIfAbsent("severity", "5");
            options.putIfAbsent("seed", String.valueOf(o.seed()));
            options.putIfAbsent("samples-per-domain", String.valueOf(o.samplesPerDomain()));
        }
        String source = o.sourceData() != null ? o.sourceData()
                : o.model() == null ? "fashion-mnist:" + o.fashionMnistDir() : "";
        List<String> a = new ArrayList<>();
        a.add("strategy=" + strategy);
        a.add("model=" + model);
        a.add("format=" + (fashionC ? "fashion-mnist-c" : o.format()));
        a.add("stream=" + (fashionC ? o.fashionMnistDir() : o.stream()));
        a.add("options=" + encode(options));
        a.add("rounds=" + o.rounds());
        a.add("batch=" + o.batchSize());
        a.add("seed=" + o.seed());
        a.add("out=" + result);
        if (source.equals("fashion-mnist-rgb")) {
            a.add("source-format=fashion-mnist");
            a.add("source-data=" + o.fashionMnistDir());
            a.add("source-options=split:train,color:rgb");
            a.add("source-samples=" + o.sourceSamples());
        } else if (!source.isEmpty() && o.sourceSamples() > 0) {
            int colon = source.indexOf(':');
            a.add("source-format=" + source.substring(0, colon));
            a.add("source-data=" + source.substring(colon + 1));
            a.add("source-options=" + (source.startsWith("fashion-mnist:") ? "split:train" : ""));
            a.add("source-samples=" + o.sourceSamples());
        }
        return a;
    }

    private static String encode(Map<String, String> options) {
        StringBuilder b = new StringBuilder();
        options.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append(':').append(v));
        return b.toString();
    }

    private String streamDescription() {
        return o.format() == null ? "continual Fashion-MNIST-C (15 corruptions at severity 5, " + o.samplesPerDomain()
                + " samples each)" : o.format() + " " + o.stream() + (o.streamOptions().isEmpty() ? "" : " " + o.streamOptions());
    }

    static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(x -> x).average().orElse(Double.NaN);
    }

    private String markdown(Map<String, TtaWorkerResult> results) {
        StringBuilder sb = new StringBuilder("# ctta bench tta\n\n");
        sb.append(String.format(Locale.ROOT,
                "Stream: %s. Model: %s. Batch %d (cut per domain), %s, seed %d. "
                        + "In-process plain loop (no Kafka, no actors, no guards: as the papers' code), one worker JVM per strategy,"
                        + " run one after the other on %d cores.%n%n",
                streamDescription(), o.model() == null ? "the built-in CNN" : o.model(), o.batchSize(),
                o.rounds() == 1 ? "1 round" : o.rounds() + " rounds without reset", o.seed(),
                Runtime.getRuntime().availableProcessors()));
        TtaWorkerResult source = results.get("source");
        boolean severalRounds = o.rounds() > 1;
        sb.append(severalRounds
                ? "## Summary\n\n| strategy | mean error round 1 % | mean error round " + o.rounds() + " % | change (points) |"
                : "## Summary\n\n| strategy | mean error % |");
        sb.append(" adapted samples/s | peak RSS MiB | peak RSS over source MiB | peak over setup MiB | adaptation state KiB | steps applied/skipped/diverged |\n");
        sb.append(severalRounds ? "|---|---:|---:|---:|" : "|---|---:|").append("---:|---:|---:|---:|---:|---|\n");
        for (TtaWorkerResult r : results.values()) {
            double first = 100 * mean(r.errors().get(0));
            double last = 100 * mean(r.errors().get(r.errors().size() - 1));
            String errors = severalRounds
                    ? String.format(Locale.ROOT, "%.1f | %.1f | %+.1f", first, last, last - first)
                    : String.format(Locale.ROOT, "%.1f", first);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %s | %.0f | %.1f | %d/%d/%d |%n",
                    r.strategy(), errors, r.adaptedSamplesPerSecond(), r.peakRssMiB(),
                    source == null ? "-" : String.format(Locale.ROOT, "%+.0f", r.peakRssMiB() - source.peakRssMiB()),
                    r.peakRssMiB() - r.setupRssMiB(),
                    r.stateBytes() / 1024.0, r.steps().get(1), r.steps().get(2), r.steps().get(3)));
        }
        sb.append("\nPeak RSS over source: the worker's peak resident memory minus that of the `source` worker, which runs the same model, data and loop without adapting. "
                + "Peak over setup: the worker's peak minus its resident memory once model, strategy (after any warm-up) and data were ready, i.e. what the adaptation loop itself added. "
                + "Adaptation state: the bytes of the strategy's snapshot (adapted parameters, optimizer moments, teacher, prototypes...).\n");
        if (!failures.isEmpty()) {
            sb.append("\n## Strategies that did not run\n\n");
            failures.forEach((name, why) -> sb.append("- ").append(name).append(": ").append(why).append('\n'));
        }
        sb.append("\n## Error % per domain, per strategy and round\n\n| strategy | round |");
        List<String> domains = results.values().iterator().next().domains();
        String suffix = commonSeveritySuffix(domains);
        for (String d : domains) {
            sb.append(' ').append(d, 0, d.length() - suffix.length()).append(" |");
        }
        sb.append(" mean |\n|---|---:|").append("---:|".repeat(domains.size() + 1)).append('\n');
        for (TtaWorkerResult r : results.values()) {
            for (int round = 0; round < r.errors().size(); round++) {
                sb.append("| ").append(r.strategy()).append(" | ").append(round + 1).append(" |");
                for (double e : r.errors().get(round)) {
                    sb.append(String.format(Locale.ROOT, " %.1f |", 100 * e));
                }
                sb.append(String.format(Locale.ROOT, " **%.1f** |%n", 100 * mean(r.errors().get(round))));
            }
        }
        return sb.toString();
    }

    /**
     * The {@code -N} suffix every domain name shares (a corruption stream's severity, e.g.
     * {@code -5}), left out of the table's column names; empty when the names do not share one.
     */
    static String commonSeveritySuffix(List<String> domains) {
        String suffix = null;
        for (String d : domains) {
            int dash = d.lastIndexOf('-');
            String s = dash > 0 && d.substring(dash + 1).matches("[0-9]+") ? d.substring(dash) : "";
            if (suffix == null) {
                suffix = s;
            } else if (!suffix.equals(s)) {
                return "";
            }
        }
        return suffix == null ? "" : suffix;
    }

    private static void plot(Map<String, TtaWorkerResult> results, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(1100).height(500).title("Error along the stream, rounds without reset")
                .xAxisTitle("domain position in the stream (all domains per round)").yAxisTitle("error %").build();
        for (TtaWorkerResult r : results.values()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            int i = 0;
            for (List<Double> round : r.errors()) {
                for (double e : round) {
                    x.add((double) ++i);
                    y.add(100 * e);
                }
            }
            chart.addSeries(r.strategy(), x, y).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Default options: every registered TTA strategy, 5 rounds. */
    public static Options defaults() {
        return new Options(List.of("source", "norm", "tent"), 5, 1000, 64, 1L, 10000, Path.of("bench-tta"), FashionMnist.defaultDirectory(), 3,
                null, null, null, Map.of(), null);
    }
}
