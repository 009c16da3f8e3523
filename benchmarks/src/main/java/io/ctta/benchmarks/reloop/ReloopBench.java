package io.ctta.benchmarks.reloop;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.adapters.reloop2.ReLoop2Strategy;
import io.ctta.benchmarks.ProcessMemory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.feedback.FeedbackJoiner;
import io.ctta.runtime.feedback.JoinerSettings;
import io.ctta.runtime.feedback.LabelledBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.TabularMlp;
import io.ctta.runtime.train.SupervisedTrainer;
import io.ctta.runtime.train.TrainReport;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.movielens.MovieLens;
import io.ctta.streams.data.movielens.Rating;
import io.ctta.streams.data.movielens.RatingFeatures;
import io.ctta.streams.data.movielens.SyntheticRatings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Base strategy versus base + {@code reloop2} on the MovieLens rating stream, in process.
 *
 * <p>Protocol: the ratings are replayed in timestamp order. The first {@code --train-fraction}
 * trains the built-in tabular model offline (user, movie and genre embeddings + MLP). The rest is
 * the stream, prequential: each batch of {@code --batch} ratings is predicted and scored first;
 * each rating's label reaches a {@link FeedbackJoiner} {@code --delay-sec} seconds (stream time)
 * after its timestamp, and matched examples go to the strategy's {@code learn} before the next
 * batch. Every configuration starts from the same trained weights.
 *
 * <p>Label {@code click} (default): rating >= 4; metrics AUC (per window and overall), gAUC and
 * log loss. Label {@code rating}: ten half-star classes; the score is the expected number of
 * stars; metric RMSE.
 *
 * <p>Writes {@code reloop-bench.md} and {@code reloop-bench.png} into {@code --out}.
 *
 * <p>Usage: {@code ReloopBench [--data movielens|synthetic] [--label click|rating]
 * [--bases source,sgd,adam] [--variants ";memory = knn;lambda = 0.9"] [--train-fraction 0.5]
 * [--epochs 5] [--lr 0.003] [--batch 64] [--delay-sec 0] [--window 5000] [--buckets 16384] [--seed 1]
 * [--out reloop-bench]}. Each base runs alone and then once per variant (semicolon-separated
 * reloop2 settings in HOCON; the empty variant is reloop2's defaults). Bases that are not
 * registered are skipped with a note.
 */
public final class ReloopBench {

    private final Map<String, String> opts;
    private final PrintStream log;

    private ReloopBench(Map<String, String> opts, PrintStream log) {
        this.opts = opts;
        this.log = log;
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        new ReloopBench(opts, System.out).run();
    }

    private String opt(String key, String def) {
        return opts.getOrDefault(key, def);
    }

    /** One configuration's result. */
    private record Result(String name, StreamMetrics metrics, double seconds, String note) {}

    private void run() throws IOException {
        String data = opt("data", "movielens");
        boolean binary = opt("label", "click").equals("click");
        if (!binary && !opt("label", "click").equals("rating")) {
            throw new IllegalArgumentException("--label must be click or rating");
        }
        double trainFraction = Double.parseDouble(opt("train-fraction", "0.5"));
        int epochs = Integer.parseInt(opt("epochs", "5"));
        float lr = Float.parseFloat(opt("lr", "0.003"));
        int batch = Integer.parseInt(opt("batch", "64"));
        long delaySec = Long.parseLong(opt("delay-sec", "0"));
        int window = Integer.parseInt(opt("window", "5000"));
        int buckets = Integer.parseInt(opt("buckets", "16384"));
        long seed = Long.parseLong(opt("seed", "1"));
        Path out = Path.of(opt("out", "reloop-bench"));
        List<String> bases = List.of(opt("bases", "source,sgd,adam").split(","));
        List<String> variants = List.of(opt("variants", ";memory = knn;lambda = 0.9").split(";", -1));

        List<Rating> ratings = data.equals("synthetic")
                ? SyntheticRatings.generate(500, 400, 60_000, new int[] {30_000, 45_000}, 0.3, 8, seed).ratings()
                : MovieLens.load();
        int trainEnd = (int) Math.round(ratings.size() * trainFraction);
        log.printf(Locale.ROOT, "%s: %d ratings, %s .. %s; training on the first %d, streaming %d%n", data,
                ratings.size(), day(ratings.get(0)), day(ratings.get(ratings.size() - 1)), trainEnd,
                ratings.size() - trainEnd);

        RatingFeatures enc = new RatingFeatures(buckets, seed);
        int classes = binary ? 2 : 10;
        TabularMlp.Architecture arch = new TabularMlp.Architecture(RatingFeatures.FIELDS, buckets, 16, 0,
                new int[] {64, 32});
        ModelSpec spec = ModelSpec.tabularMlp(arch, classes, data + "-" + (binary ? "click" : "rating"));
        float[] trainX = new float[trainEnd * RatingFeatures.FIELDS];
        int[] trainY = new int[trainEnd];
        for (int i = 0; i < trainEnd; i++) {
            enc.encode(ratings.get(i), trainX, i * RatingFeatures.FIELDS);
            trainY[i] = label(ratings.get(i), binary);
        }
        Files.createDirectories(out);
        Path weights = out.resolve("trained.params");
        long t0 = System.nanoTime();
        try (AdaptiveModel m = AdaptiveModel.create(spec, Device.CPU, seed)) {
            TrainReport r = SupervisedTrainer.train(m, trainX, new int[] {RatingFeatures.FIELDS}, trainY,
                    new TrainSettings(epochs, 256, lr, seed), null);
            m.saveParameters(weights);
            log.printf(Locale.ROOT, "trained %s in %.1f s: last-epoch loss %.4f, accuracy %.4f%n", spec.version(),
                    (System.nanoTime() - t0) / 1e9, r.finalEpochLoss(), r.finalEpochAccuracy());
        }

        StrategyRegistry registry = StrategyRegistry.load();
        List<Result> results = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String base : bases) {
            if (!registry.names().contains(base)) {
                skipped.add(base);
                continue;
            }
            results.add(runOne(registry, base, null, spec, weights, ratings, trainEnd, enc, binary, batch, delaySec,
                    seed));
            for (String v : variants) {
                results.add(runOne(registry, base, v, spec, weights, ratings, trainEnd, enc, binary, batch, delaySec,
                        seed));
            }
        }
        String md = report(data, binary, ratings, trainEnd, batch, delaySec, window, results, skipped);
        Files.writeString(out.resolve("reloop-bench.md"), md);
        plot(results, binary, window, out.resolve("reloop-bench.png"));
        log.println();
        log.println(md);
        log.printf(Locale.ROOT, "wrote %s and %s; peak RSS %.0f MiB%n", out.resolve("reloop-bench.md"),
                out.resolve("reloop-bench.png"), ProcessMemory.peakRssMiB());
    }

    private static int label(Rating r, boolean binary) {
        return binary ? r.click() : r.ratingClass();
    }

    private static String day(Rating r) {
        return Instant.ofEpochSecond(r.timestampSec()).atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    /** The reloop2 settings of a variant: a benchmark-wide default, then the variant's own keys. */
    private static Config reloopSettings(String base, String variant) {
        // A base that learns every batch would otherwise clear the memory every batch (refresh.base-updates = 1):
        // keep the memory across base updates here; keys and base predictions are recomputed at write time.
        return ConfigFactory.parseString(variant).withFallback(ConfigFactory.parseString(
                "base = " + base + "\nrefresh.base-updates = 0"));
    }

    private Result runOne(StrategyRegistry registry, String base, String variant, ModelSpec spec, Path weights,
            List<Rating> ratings, int trainEnd, RatingFeatures enc, boolean binary, int batch, long delaySec, long seed)
            throws IOException {
        String name = variant == null ? base : base + " + reloop2" + (variant.isBlank() ? "" : " (" + variant.trim()
                + ")");
        AdaptiveModel model = AdaptiveModel.create(spec, Device.CPU, seed);
        model.loadParameters(weights);
        AdaptationStrategy s = variant == null
                ? registry.create(base, new StrategyContext(model, ConfigFactory.empty(), seed))
                : registry.create("reloop2", new StrategyContext(model, reloopSettings(base, variant), seed));
        StreamMetrics metrics = new StreamMetrics(binary);
        long[] clock = {ratings.get(trainEnd).timestampSec() * 1000};
        // Labels within the TTL are joined; the stream clock is the ratings' own time.
        FeedbackJoiner<float[]> joiner = new FeedbackJoiner<>(new JoinerSettings(
                Duration.ofSeconds(Math.max(3600, 10 * delaySec)), 1_000_000, Duration.ZERO), () -> clock[0]);
        ArrayDeque<long[]> labels = new ArrayDeque<>(); // {arrival ms, index}
        int f = RatingFeatures.FIELDS;
        int[] shape = {f};
        long learned = 0;
        long start = System.nanoTime();
        try (s) {
            for (int from = trainEnd; from < ratings.size(); from += batch) {
                int n = Math.min(batch, ratings.size() - from);
                // The batch is complete when its last rating has arrived: that is when it is predicted.
                long batchTime = ratings.get(from + n - 1).timestampSec() * 1000;
                // Deliver, at their arrival times, the labels that arrived up to now; then learn from what the
                // joiner releases.
                while (!labels.isEmpty() && labels.peekFirst()[0] <= batchTime) {
                    long[] l = labels.pollFirst();
                    clock[0] = Math.max(clock[0], l[0]);
                    Rating r = ratings.get((int) l[1]);
                    joiner.labelled(Long.toString(l[1]), label(r, binary), l[0]);
                }
                clock[0] = Math.max(clock[0], batchTime);
                for (LabelledBatch lb : LabelledBatch.of(joiner.drain(), shape, 256)) {
                    s.learn(lb.batch(), lb.labels());
                    learned += lb.labels().length;
                }
                float[] x = new float[n * f];
                for (int i = 0; i < n; i++) {
                    enc.encode(ratings.get(from + i), x, i * f);
                }
                ModelOutput out = s.predict(new InputBatch(n, shape, x));
                for (int i = 0; i < n; i++) {
                    Rating r = ratings.get(from + i);
                    float[] p = out.probabilitiesOf(i);
                    double score;
                    if (binary) {
                        score = p[1];
                        metrics.add(score, r.click(), r.userId());
                    } else {
                        score = 0;
                        for (int c = 0; c < p.length; c++) {
                            score += p[c] * Rating.starsOfClass(c);
                        }
                        metrics.add(score, r.rating(), r.userId());
                    }
                    joiner.predicted(Integer.toString(from + i), java.util.Arrays.copyOfRange(x, i * f, (i + 1) * f),
                            out.predictedClass(i));
                    // A label cannot arrive before its prediction was published.
                    labels.addLast(new long[] {Math.max(clock[0], (r.timestampSec() + delaySec) * 1000), from + i});
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            String note = "learned " + learned;
            if (s instanceof ReLoop2Strategy rs) {
                ReLoop2Strategy.Stats st = rs.stats();
                note += String.format(Locale.ROOT, "; memory writes %d, compensated %.1f%%, %.1f MiB", st.writes(),
                        100.0 * st.compensated() / Math.max(1, st.compensated() + st.uncompensated()),
                        rs.memoryHeapBytes() / 1048576.0);
            }
            FeedbackJoiner.Stats js = joiner.stats();
            note += "; joiner matched " + js.matched() + ", expired " + js.expired();
            log.printf(Locale.ROOT, "%-40s %s %.4f in %.1f s (%s)%n", name, binary ? "AUC" : "RMSE",
                    metrics.main(0, metrics.count()), secs, note);
            return new Result(name, metrics, secs, note);
        }
    }

    private static String report(String data, boolean binary, List<Rating> ratings, int trainEnd, int batch,
            long delaySec, int window, List<Result> results, List<String> skipped) {
        StringBuilder b = new StringBuilder();
        b.append("# ReLoop2 on the ").append(data).append(" stream\n\n");
        b.append(String.format(Locale.ROOT, "%d ratings in timestamp order (%s to %s); the built-in tabular model"
                + " was trained on the first %d (to %s) and the remaining %d were streamed prequentially"
                + " (predict, score, then learn when the label arrives), batch %d, label delay %d s. Label: %s.%n%n",
                ratings.size(), day(ratings.get(0)), day(ratings.get(ratings.size() - 1)), trainEnd,
                day(ratings.get(trainEnd - 1)), ratings.size() - trainEnd, batch, delaySec,
                binary ? "click = rating >= 4" : "rating (10 half-star classes; score = expected stars)"));
        if (binary) {
            b.append("| configuration | AUC | gAUC | log loss | time (s) | samples/s | notes |\n");
            b.append("|---|---:|---:|---:|---:|---:|---|\n");
        } else {
            b.append("| configuration | RMSE | time (s) | samples/s | notes |\n|---|---:|---:|---:|---|\n");
        }
        for (Result r : results) {
            int n = r.metrics().count();
            if (binary) {
                b.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.1f | %.0f | %s |%n", r.name(),
                        r.metrics().auc(0, n), r.metrics().gauc(0, n), r.metrics().logLoss(0, n), r.seconds(),
                        n / r.seconds(), r.note()));
            } else {
                b.append(String.format(Locale.ROOT, "| %s | %.4f | %.1f | %.0f | %s |%n", r.name(),
                        r.metrics().rmse(0, n), r.seconds(), n / r.seconds(), r.note()));
            }
        }
        if (!skipped.isEmpty()) {
            b.append("\nNot registered in this build, skipped: ").append(String.join(", ", skipped)).append(".\n");
        }
        b.append("\n").append(binary ? "AUC" : "RMSE").append(" per window of ").append(window)
                .append(" predictions:\n\n| window end |");
        for (Result r : results) {
            b.append(' ').append(r.name()).append(" |");
        }
        b.append("\n|---:|");
        b.append("---:|".repeat(results.size())).append('\n');
        if (!results.isEmpty()) {
            List<double[]> first = results.get(0).metrics().windows(window);
            for (int w = 0; w < first.size(); w++) {
                b.append(String.format(Locale.ROOT, "| %.0f |", first.get(w)[0]));
                for (Result r : results) {
                    b.append(String.format(Locale.ROOT, " %.4f |", r.metrics().windows(window).get(w)[1]));
                }
                b.append('\n');
            }
        }
        b.append("\nTimings are wall-clock on a shared CPU; treat them as rough.\n");
        return b.toString();
    }

    private static void plot(List<Result> results, boolean binary, int window, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500)
                .title("ReLoop2 on a rating stream: " + (binary ? "AUC" : "RMSE") + " per " + window + " predictions")
                .xAxisTitle("streamed predictions").yAxisTitle(binary ? "AUC" : "RMSE").build();
        for (Result r : results) {
            List<double[]> w = r.metrics().windows(window);
            double[] x = new double[w.size()];
            double[] y = new double[w.size()];
            for (int i = 0; i < w.size(); i++) {
                x[i] = w.get(i)[0];
                y[i] = w.get(i)[1];
            }
            chart.addSeries(r.name(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
