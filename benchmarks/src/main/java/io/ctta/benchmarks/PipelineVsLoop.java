package io.ctta.benchmarks;

import io.ctta.actors.demo.DemoReport;
import io.ctta.actors.demo.DemoRun;
import io.ctta.actors.demo.PredictionTally;
import io.ctta.actors.demo.SourceModelCache;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Throughput of each strategy through the whole pipeline (embedded Kafka broker in the same
 * process, actors, codecs, drift detectors, metrics) against the same strategy called in a plain
 * loop over the same batches. Everything runs in one JVM, one after the other and one pipeline at
 * a time, so the ratio is measured on the same machine in the same run.
 *
 * <p>Usage: {@code java -cp ... io.ctta.benchmarks.PipelineVsLoop [samplesPerDomain] [strategies]}
 */
public final class PipelineVsLoop {

    public static void main(String[] args) throws Exception {
        int perDomain = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        List<String> strategies = args.length > 1 ? List.of(args[1].split(",")) : List.of("source", "tent");
        int batch = 64;
        long seed = 1;
        DemoRun.Options d = DemoRun.Options.defaults(false);
        Path weights = new SourceModelCache(d.cacheDir(), System.out)
                .weights(d.fashionMnistDir(), new TrainSettings(d.trainEpochs(), 128, 1e-3f, seed), d.trainSamples());
        LabeledImages test = FashionMnist.load(d.fashionMnistDir(), FashionMnist.Split.TEST);
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, seed, perDomain);

        StrategyRegistry registry = StrategyRegistry.load();
        Map<String, Double> loop = new LinkedHashMap<>();
        for (String s : strategies) {
            loop.put(s, loopSamplesPerSecond(registry, s, weights, domains, batch, seed));
        }
        // One pipeline at a time, so each has the machine to itself as the plain loop had.
        Map<String, PredictionTally> tallies = new LinkedHashMap<>();
        for (String s : strategies) {
            DemoRun.Options o = new DemoRun.Options(List.of(s), null, null, null, Map.of(), d.fashionMnistDir(), d.cacheDir(),
                    perDomain, 5, batch, seed, 0, d.trainEpochs(), d.trainSamples(), null, false, false);
            DemoReport report = new DemoRun(o, System.out).run();
            tallies.put(s, report.tallies().get(s));
        }

        System.out.println();
        System.out.println("| strategy | loop samples/s | pipeline samples/s | pipeline / loop |");
        System.out.println("|---|---:|---:|---:|");
        for (String s : strategies) {
            PredictionTally t = tallies.get(s);
            double pipe = t.count() * 1000.0 / Math.max(1, t.spanMs());
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f |%n", s, loop.get(s), pipe, pipe / loop.get(s));
        }
        System.out.printf(Locale.ROOT, "peak RSS of this process: %.0f MiB%n", ProcessMemory.peakRssMiB());
    }

    /** Samples per second of {@code strategy.predict} over the stream's batches, after one warm-up pass over 20 batches. */
    static double loopSamplesPerSecond(StrategyRegistry registry, String name, Path weights, List<Domain> domains, int batch, long seed) throws Exception {
        List<InputBatch> batches = new ArrayList<>();
        for (Domain dom : domains) {
            LabeledImages im = dom.images();
            for (int i = 0; i < im.count(); i += batch) {
                int n = Math.min(batch, im.count() - i);
                float[] f = new float[n * im.rows() * im.cols()];
                for (int j = 0; j < n; j++) {
                    System.arraycopy(im.featuresOf(i + j), 0, f, j * im.rows() * im.cols(), im.rows() * im.cols());
                }
                batches.add(new InputBatch(n, new int[] {1, im.rows(), im.cols()}, f));
            }
        }
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), seed);
        model.loadParameters(weights);
        var settings = ConfigFactory.load().getConfig("ctta.strategies").hasPath(name)
                ? ConfigFactory.load().getConfig("ctta.strategies." + name) : ConfigFactory.empty();
        try (AdaptationStrategy s = registry.create(name, new StrategyContext(model, settings, seed))) {
            for (int i = 0; i < Math.min(20, batches.size()); i++) {
                s.predict(batches.get(i));
            }
            s.reset();
            long samples = 0;
            long t0 = System.nanoTime();
            for (InputBatch b : batches) {
                s.predict(b);
                samples += b.size();
            }
            return samples / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
