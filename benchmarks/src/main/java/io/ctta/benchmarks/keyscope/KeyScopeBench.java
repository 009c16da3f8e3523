package io.ctta.benchmarks.keyscope;

import com.typesafe.config.ConfigFactory;
import io.ctta.actors.metrics.KeyStateMetrics;
import io.ctta.actors.model.KeyedStates;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code ctta bench key-scope}: samples/s of one strategy with one state for the stream
 * ({@code scope = pipeline}) against one state per record key ({@code scope = key}) over the same
 * batches, on the model actor's own code path ({@link KeyedStates}: groups, swaps, LRU, evicted
 * states written and read back), in one process, one after the other; and the bytes of one key's
 * state. The records are spread over the keys at random, in runs of {@code runLength} records of
 * one key (1: every record a key drawn anew, the worst case: groups of about one record). No
 * Kafka and no checkpoints: the model side alone (evicted states are files in a temporary
 * directory, deleted once read back).
 */
public final class KeyScopeBench {

    /** What to measure. */
    public record Options(String strategy, int keys, int batchSize, int batches, int maxResident, int runLength, int warmUpBatches,
            long seed) {
        public Options {
            if (keys < 1 || batchSize < 2 || batches < 1 || maxResident < 1 || runLength < 1 || warmUpBatches < 0) {
                throw new IllegalArgumentException("--keys, --batches, --max-resident and --run-length must be at least 1, --batch at least 2");
            }
        }
    }

    /** One measured configuration. */
    public record Row(String scope, double samplesPerSecond, long stateBytes, long resident, long spilled, double evictions, double loads,
            double meanGroupSize) {}

    private final Options o;
    private final PrintStream out;

    public KeyScopeBench(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    /** The batches and each record's key, the same for both scopes. */
    private record Stream(List<InputBatch> batches, List<List<String>> keys) {}

    private Stream stream(int count) {
        SplittableRandom r = new SplittableRandom(o.seed());
        List<InputBatch> batches = new ArrayList<>(count);
        List<List<String>> keys = new ArrayList<>(count);
        int left = 0;
        String key = null;
        for (int b = 0; b < count; b++) {
            float[] x = new float[o.batchSize() * 784];
            List<String> k = new ArrayList<>(o.batchSize());
            for (int i = 0; i < o.batchSize(); i++) {
                if (left == 0) {
                    key = "key-" + r.nextInt(o.keys());
                    left = o.runLength();
                }
                left--;
                k.add(key);
                int shift = Math.floorMod(key.hashCode(), 80);
                for (int p = 0; p < 784; p++) {
                    x[i * 784 + p] = shift + r.nextInt(170);
                }
            }
            batches.add(new InputBatch(o.batchSize(), new int[] {1, 28, 28}, x));
            keys.add(k);
        }
        return new Stream(batches, keys);
    }

    private AdaptationStrategy create() {
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), o.seed());
        return StrategyRegistry.load().create(o.strategy(), new StrategyContext(model, ConfigFactory.empty(), o.seed()));
    }

    /** Pipeline scope, then key scope, over the same batches. */
    public List<Row> run() {
        Stream s = stream(o.warmUpBatches() + o.batches());
        List<Row> rows = new ArrayList<>();
        try (AdaptationStrategy strategy = create()) {
            for (int b = 0; b < o.warmUpBatches(); b++) {
                strategy.predict(s.batches().get(b));
            }
            long t0 = System.nanoTime();
            for (int b = o.warmUpBatches(); b < s.batches().size(); b++) {
                strategy.predict(s.batches().get(b));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            rows.add(new Row("pipeline", o.batches() * o.batchSize() / secs, -1, 1, 0, 0, 0, o.batchSize()));
            out.printf(Locale.ROOT, "scope = pipeline: %.0f samples/s%n", rows.get(0).samplesPerSecond());
        }
        KeyStateMetrics metrics = KeyStateMetrics.unregistered();
        try (AdaptationStrategy strategy = create();
                KeyedStates keyed = new KeyedStates(new KeyedStates.Settings("bench", o.maxResident(), null, 0), metrics)) {
            keyed.bind(strategy);
            for (int b = 0; b < o.warmUpBatches(); b++) {
                keyed.serve(s.batches().get(b), s.keys().get(b), strategy::predict);
            }
            long groups = 0;
            long t0 = System.nanoTime();
            for (int b = o.warmUpBatches(); b < s.batches().size(); b++) {
                keyed.serve(s.batches().get(b), s.keys().get(b), strategy::predict);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            for (int b = o.warmUpBatches(); b < s.batches().size(); b++) {
                groups += s.keys().get(b).stream().distinct().count();
            }
            Row row = new Row("key", o.batches() * o.batchSize() / secs, metrics.stateBytes(), keyed.residentCount(), keyed.spilledCount(),
                    metrics.evictions(), metrics.loads(), (double) o.batches() * o.batchSize() / groups);
            rows.add(row);
            out.printf(Locale.ROOT, "scope = key: %.0f samples/s, %d bytes per key state, %d resident, %d evicted to files%n",
                    row.samplesPerSecond(), row.stateBytes(), row.resident(), row.spilled());
        }
        return rows;
    }

    /** The rows as a Markdown table, with the ratio to pipeline scope. */
    public String table(List<Row> rows) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s, %d keys, batch %d, runs of %d records per key, LRU %d, %d batches%n%n",
                o.strategy(), o.keys(), o.batchSize(), o.runLength(), o.maxResident(), o.batches()));
        b.append("| scope | samples/s | vs pipeline | records per key group | bytes per key state | resident | in files | evictions | reads back |\n");
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        double base = rows.get(0).samplesPerSecond();
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %.1f | %s | %d | %d | %,.0f | %,.0f |%n", r.scope(), r.samplesPerSecond(),
                    r.samplesPerSecond() / base, r.meanGroupSize(), r.stateBytes() < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.stateBytes()),
                    r.resident(), r.spilled(), r.evictions(), r.loads()));
        }
        return b.toString();
    }
}
