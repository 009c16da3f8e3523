package io.ctta.benchmarks.scale;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.adapters.tent.TentSettings;
import io.ctta.adapters.tent.TentStrategy;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.IntraOpThreads;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code ctta bench scale}: samples/s of one model against N models adapting at once in one JVM,
 * each on its own thread, each served the whole of the same stream (Fashion-MNIST-C, severity 5,
 * the built-in CNN). All counts run in one process, one after the other, so their ratio is
 * measured on the same machine in the same minute. Optionally the same counts with the old
 * JVM-wide backward lock ({@link GradientGate#serialized()}), to show what per-thread gradient
 * sessions buy, and several operator thread counts, to show what oversubscription costs.
 */
public final class ScaleBench {

    /**
     * @param intraOpThreads operator threads per model thread; 0 = auto (cores / models, at least 1)
     * @param weights trained parameters of the built-in CNN, or null for the seeded initialisation
     *     (a TENT step costs the same either way)
     */
    public record Options(String strategy, List<Integer> models, int batchSize, int batches, List<Integer> intraOpThreads,
            boolean alsoSerialized, int warmUpBatches, long seed, Path data, Path weights, int rounds) {
        public Options {
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            }
            if (models.isEmpty() || models.stream().anyMatch(n -> n < 1)) {
                throw new IllegalArgumentException("--models: counts of at least 1, e.g. 1,2; got " + models);
            }
            if (batchSize < 2 || batches < 1 || warmUpBatches < 0) {
                throw new IllegalArgumentException("--batch must be at least 2 and --batches at least 1");
            }
            if (intraOpThreads.isEmpty() || intraOpThreads.stream().anyMatch(n -> n < 0)) {
                throw new IllegalArgumentException("--intra-op-threads: 0 (auto: cores / models) or thread counts; got " + intraOpThreads);
            }
            if (alsoSerialized && !strategy.equals("tent")) {
                throw new IllegalArgumentException("--serialize-backward is implemented for --strategy tent only");
            }
            models = List.copyOf(models);
            intraOpThreads = List.copyOf(intraOpThreads);
        }
    }

    /**
     * One measurement: {@code models} strategies at once, each over the whole stream.
     *
     * @param cpuSeconds CPU time the whole process used meanwhile: over {@code seconds}, the cores it
     *     actually got (on a shared machine, fewer than it asked for)
     */
    public record Row(int round, int models, int intraOpThreads, boolean serialized, long samples, double seconds, double cpuSeconds) {
        public double samplesPerSecond() {
            return samples / seconds;
        }

        public double coresUsed() {
            return cpuSeconds / seconds;
        }

        /** Samples per CPU-second of the process: what the work costs, whatever share of the machine it got. */
        public double samplesPerCpuSecond() {
            return samples / cpuSeconds;
        }
    }

    private final Options options;
    private final PrintStream out;

    public ScaleBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public List<Row> run() throws Exception {
        List<InputBatch> stream = stream();
        out.printf(Locale.ROOT, "stream: %d batches of %d (Fashion-MNIST-C, severity 5), strategy %s, %d cores, load average %s%n",
                stream.size(), options.batchSize(), options.strategy(), Runtime.getRuntime().availableProcessors(), loadAverage());
        List<Row> rows = new ArrayList<>();
        // Rounds repeat the whole set, so that a change in the machine's load shows as a change
        // between rounds instead of biasing one configuration.
        for (int round = 1; round <= options.rounds(); round++) {
            for (int threads : options.intraOpThreads()) {
                for (int n : options.models()) {
                    rows.add(measure(round, stream, n, threads, false));
                    out.println(line(rows.get(rows.size() - 1), rows));
                    if (options.alsoSerialized()) {
                        rows.add(measure(round, stream, n, threads, true));
                        out.println(line(rows.get(rows.size() - 1), rows));
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
        return rows;
    }

    /** The Markdown table of {@code rows}: samples/s and the ratio to one model with the same settings. */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| round | models | operator threads per model | backward | samples | seconds | samples/s | vs 1 model | cores used | samples per CPU-s |\n");
        b.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Row base = baseline(r, rows);
            b.append(String.format(Locale.ROOT, "| %d | %d | %d | %s | %d | %.2f | %.0f | %s | %.2f | %.0f |%n", r.round(), r.models(), r.intraOpThreads(),
                    r.serialized() ? "one JVM-wide lock" : "per thread", r.samples(), r.seconds(), r.samplesPerSecond(),
                    base == null ? "" : String.format(Locale.ROOT, "%.2fx", r.samplesPerSecond() / base.samplesPerSecond()),
                    r.coresUsed(), r.samplesPerCpuSecond()));
        }
        return b.toString();
    }

    /**
     * One model, per-thread sessions, same round: what N models are compared with. With the same
     * operator thread count if measured, else the round's first one-model row (with the auto
     * rule one model has every core, N models share them).
     */
    private static Row baseline(Row r, List<Row> rows) {
        for (Row c : rows) {
            if (c.round() == r.round() && c.models() == 1 && !c.serialized() && c.intraOpThreads() == r.intraOpThreads()) {
                return c;
            }
        }
        for (Row c : rows) {
            if (c.round() == r.round() && c.models() == 1 && !c.serialized()) {
                return c;
            }
        }
        return null;
    }

    private static String line(Row r, List<Row> rows) {
        Row base = baseline(r, rows);
        return String.format(Locale.ROOT, "%d model(s), %d operator thread(s) each, %s: %d samples in %.2f s = %.0f samples/s,"
                + " %.2f cores used%s",
                r.models(), r.intraOpThreads(), r.serialized() ? "serialized backward" : "per-thread backward", r.samples(),
                r.seconds(), r.samplesPerSecond(), r.coresUsed(),
                base == null || base == r ? "" : String.format(Locale.ROOT, " (%.2fx one model)", r.samplesPerSecond() / base.samplesPerSecond()));
    }

    private Row measure(int round, List<InputBatch> stream, int models, int intraOpOption, boolean serialized) throws Exception {
        IntraOpThreads threads = intraOpOption > 0 ? new IntraOpThreads(intraOpOption) : IntraOpThreads.shareOfThisMachine(models);
        // A fresh gate per measurement: with the lock, the N models of this run wait on each other only.
        GradientGate gate = serialized ? GradientGate.serialized() : GradientGate.shared();
        // When the last worker is ready: the clock and the process's CPU time start together.
        long[] started = new long[2];
        CyclicBarrier start = new CyclicBarrier(models, () -> {
            started[0] = System.nanoTime();
            started[1] = processCpuNanos();
        });
        ExecutorService pool = Executors.newFixedThreadPool(models);
        try {
            List<Future<long[]>> workers = new ArrayList<>();
            for (int i = 0; i < models; i++) {
                workers.add(pool.submit(() -> worker(stream, threads, gate, start)));
            }
            long last = Long.MIN_VALUE;
            long samples = 0;
            for (Future<long[]> w : workers) {
                long[] r = w.get(); // {end nanos, samples}
                last = Math.max(last, r[0]);
                samples += r[1];
            }
            long cpu = processCpuNanos() - started[1]; // read after the last worker ended: a little idle time too
            return new Row(round, models, threads.count(), serialized, samples, (last - started[0]) / 1e9, cpu / 1e9);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** On its own thread, as a model actor: its operator threads, its model, its strategy; warm-up, then the timed stream. */
    private long[] worker(List<InputBatch> stream, IntraOpThreads threads, GradientGate gate, CyclicBarrier start) throws Exception {
        threads.applyToCurrentThread();
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), options.seed());
        if (options.weights() != null) {
            model.loadParameters(options.weights());
        }
        try (AdaptationStrategy s = strategy(model, gate)) {
            for (int i = 0; i < Math.min(options.warmUpBatches(), stream.size()); i++) {
                s.predict(stream.get(i));
            }
            s.reset();
            start.await();
            long samples = 0;
            for (InputBatch b : stream) {
                s.predict(b);
                samples += b.size();
            }
            return new long[] {System.nanoTime(), samples};
        }
    }

    private AdaptationStrategy strategy(AdaptiveModel model, GradientGate gate) {
        Config reference = ConfigFactory.load().getConfig("ctta.strategies");
        Config settings = reference.hasPath(options.strategy()) ? reference.getConfig(options.strategy()) : ConfigFactory.empty();
        try {
            if (options.strategy().equals("tent")) {
                return new TentStrategy(model, TentSettings.fromConfig(settings), gate);
            }
            return StrategyRegistry.load().create(options.strategy(), new StrategyContext(model, settings, options.seed()));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private List<InputBatch> stream() throws IOException {
        LabeledImages test = FashionMnist.load(options.data(), FashionMnist.Split.TEST);
        int corruptions = CorruptionStream.DEFAULT_ORDER.size();
        int wanted = options.batches() * options.batchSize();
        int perDomain = Math.min(test.count(), (wanted + corruptions - 1) / corruptions);
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, options.seed(), perDomain);
        List<InputBatch> batches = new ArrayList<>();
        int side = 28 * 28;
        float[] f = new float[options.batchSize() * side];
        int filled = 0;
        for (Domain d : domains) {
            LabeledImages im = d.images();
            for (int i = 0; i < im.count() && batches.size() < options.batches(); i++) {
                System.arraycopy(im.featuresOf(i), 0, f, filled * side, side);
                if (++filled == options.batchSize()) {
                    batches.add(new InputBatch(filled, new int[] {1, 28, 28}, f));
                    f = new float[options.batchSize() * side];
                    filled = 0;
                }
            }
        }
        return List.copyOf(batches);
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
