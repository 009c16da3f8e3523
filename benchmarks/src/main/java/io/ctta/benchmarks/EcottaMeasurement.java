package io.ctta.benchmarks;

import com.typesafe.config.ConfigFactory;
import io.ctta.actors.demo.DemoRun;
import io.ctta.actors.demo.SourceModelCache;
import io.ctta.adapters.ecotta.EcottaStrategy;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The measurements behind docs/strategies/ecotta.md, in a plain loop (no Kafka, no actors).
 *
 * <p>{@code stream PER_DOMAIN PASSES SPEC;SPEC;...}: continual Fashion-MNIST-C at severity 5, batch
 * 64, {@code PASSES} passes over the same stream without reset; each {@code SPEC} is
 * {@code name} or {@code name|hocon settings}, e.g. {@code ecotta|cache-dir=/tmp/c, lr=1e-3}. The
 * source model is the demo's (3 epochs on the 60k clean training images, cached); the clean
 * training set is the strategies' source data.
 *
 * <p>{@code memory NAME SETTINGS BATCH STEPS}: peak resident memory of this process during
 * {@code STEPS} steps on random inputs, minus the resident memory just before the strategy is
 * created. Run one strategy per JVM; for {@code ecotta} point {@code cache-dir} at a warmed-up
 * cache (the memory mode passes no source data).
 */
public final class EcottaMeasurement {

    private EcottaMeasurement() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("stream")) {
            stream(Integer.parseInt(args[1]), Integer.parseInt(args[2]), List.of(args[3].split(";")));
        } else if (args.length == 5 && args[0].equals("memory")) {
            memory(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        } else {
            System.err.println("usage: stream PER_DOMAIN PASSES 'SPEC;SPEC' | memory NAME SETTINGS BATCH STEPS");
            System.exit(2);
        }
    }

    private static Path sourceWeights() throws java.io.IOException {
        DemoRun.Options d = DemoRun.Options.defaults(false);
        return new SourceModelCache(d.cacheDir(), System.out)
                .weights(d.fashionMnistDir(), new TrainSettings(d.trainEpochs(), 128, 1e-3f, 1), d.trainSamples());
    }

    private static void stream(int perDomain, int passes, List<String> specs) throws Exception {
        Path weights = sourceWeights();
        LabeledImages train = FashionMnist.load(FashionMnist.Split.TRAIN);
        LabeledImages test = FashionMnist.load(FashionMnist.Split.TEST);
        SourceData source = new SourceData(train.allFeatures(), new int[] {1, 28, 28}, train.labels());
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, 1, perDomain);
        StrategyRegistry registry = StrategyRegistry.load();
        for (String spec : specs) {
            String[] parts = spec.split("\\|", 2);
            String settings = parts.length > 1 ? parts[1] : "";
            AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
            model.loadParameters(weights);
            try (AdaptationStrategy s = registry.create(parts[0],
                    new StrategyContext(model, ConfigFactory.parseString(settings), 1, source))) {
                if (s instanceof EcottaStrategy e) {
                    System.out.println("  " + e.warmUp());
                }
                for (int pass = 1; pass <= passes; pass++) {
                    long wrong = 0;
                    long total = 0;
                    StringBuilder per = new StringBuilder();
                    for (Domain d : domains) {
                        LabeledImages im = d.images();
                        long domainWrong = 0;
                        for (int from = 0; from < im.count(); from += 64) {
                            LabeledImages b = im.slice(from, Math.min(im.count(), from + 64));
                            ModelOutput out = s.predict(new InputBatch(b.count(), new int[] {1, 28, 28}, b.allFeatures()));
                            for (int i = 0; i < b.count(); i++) {
                                if (out.predictedClass(i) != b.label(i)) {
                                    domainWrong++;
                                }
                            }
                        }
                        wrong += domainWrong;
                        total += im.count();
                        per.append(String.format(Locale.ROOT, " %s=%.1f", d.name(), 100.0 * domainWrong / im.count()));
                    }
                    System.out.printf(Locale.ROOT, "%s [%s] pass %d: error %.2f%%%s%n", parts[0], settings, pass,
                            100.0 * wrong / total, per);
                }
            }
        }
    }

    private static void memory(String name, String settings, int batch, int steps) throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        InputBatch[] batches = new InputBatch[4];
        for (int i = 0; i < batches.length; i++) {
            float[] x = new float[batch * 784];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (r.nextDouble() * 255);
            }
            batches[i] = new InputBatch(batch, new int[] {1, 28, 28}, x);
        }
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1);
        model.loadParameters(sourceWeights());
        model.predict(batches[0]);
        System.gc();
        double base = ProcessMemory.rssMiB();
        try (AdaptationStrategy s = StrategyRegistry.load().create(name,
                new StrategyContext(model, ConfigFactory.parseString(settings), 1))) {
            for (int i = 0; i < steps; i++) {
                s.predict(batches[i % batches.length]);
            }
            System.out.printf(Locale.ROOT, "%s batch %d: peak RSS - RSS before the strategy = %.1f MiB%n", name, batch,
                    ProcessMemory.peakRssMiB() - base);
        }
    }
}
