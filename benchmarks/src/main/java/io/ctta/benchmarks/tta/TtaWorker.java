package io.ctta.benchmarks.tta;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.benchmarks.ProcessMemory;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.StrategyContext;
import io.ctta.runtime.adapt.StrategyRegistry;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One strategy over the continual stream for N rounds, in its own process so that its peak
 * memory is its own. Arguments: strategy, weights file, samples per domain, rounds, batch size,
 * seed, source samples, output JSON file.
 */
public final class TtaWorker {

    private TtaWorker() {}

    public static void main(String[] args) throws Exception {
        String name = args[0];
        Path weights = Path.of(args[1]);
        int perDomain = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        int batch = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        int sourceSamples = Integer.parseInt(args[6]);
        Path out = Path.of(args[7]);
        Path fashion = args.length > 8 ? Path.of(args[8]) : FashionMnist.defaultDirectory();

        LabeledImages test = FashionMnist.load(fashion, FashionMnist.Split.TEST);
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, seed, perDomain);
        List<List<InputBatch>> batches = new ArrayList<>();
        List<List<int[]>> labels = new ArrayList<>();
        for (Domain d : domains) {
            List<InputBatch> bs = new ArrayList<>();
            List<int[]> ls = new ArrayList<>();
            LabeledImages im = d.images();
            int per = im.rows() * im.cols();
            for (int i = 0; i < im.count(); i += batch) {
                int n = Math.min(batch, im.count() - i);
                float[] f = new float[n * per];
                int[] y = new int[n];
                for (int j = 0; j < n; j++) {
                    System.arraycopy(im.featuresOf(i + j), 0, f, j * per, per);
                    y[j] = im.label(i + j);
                }
                bs.add(new InputBatch(n, new int[] {1, im.rows(), im.cols()}, f));
                ls.add(y);
            }
            batches.add(bs);
            labels.add(ls);
        }
        SourceData source = null;
        if (sourceSamples > 0) {
            LabeledImages train = FashionMnist.load(fashion, FashionMnist.Split.TRAIN);
            LabeledImages s = train.slice(0, Math.min(sourceSamples, train.count()));
            source = new SourceData(s.allFeatures(), new int[] {1, s.rows(), s.cols()}, s.labels());
        }
        Config all = ConfigFactory.load();
        String path = "ctta.strategies." + com.typesafe.config.ConfigUtil.joinPath(name);
        Config settings = all.hasPath(path) ? all.getConfig(path) : ConfigFactory.empty();
        AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), seed);
        model.loadParameters(weights);
        long[] steps = new long[StepOutcome.Kind.values().length];
        List<List<Double>> errors = new ArrayList<>();
        double setupRss;
        long samples = 0;
        long nanos = 0;
        long stateBytes;
        try (AdaptationStrategy strategy = StrategyRegistry.load().create(name, new StrategyContext(model, settings, seed, source))) {
            source = null; // the strategy keeps what it needs
            System.gc();
            setupRss = ProcessMemory.rssMiB();
            for (int r = 0; r < rounds; r++) {
                List<Double> roundErrors = new ArrayList<>();
                for (int d = 0; d < batches.size(); d++) {
                    long wrong = 0;
                    long total = 0;
                    for (int b = 0; b < batches.get(d).size(); b++) {
                        InputBatch in = batches.get(d).get(b);
                        long t0 = System.nanoTime();
                        ModelOutput o = strategy.predict(in);
                        nanos += System.nanoTime() - t0;
                        samples += in.size();
                        steps[o.step().kind().ordinal()]++;
                        int[] y = labels.get(d).get(b);
                        for (int i = 0; i < in.size(); i++) {
                            if (o.predictedClass(i) != y[i]) {
                                wrong++;
                            }
                        }
                        total += in.size();
                    }
                    roundErrors.add((double) wrong / total);
                }
                errors.add(roundErrors);
                System.err.printf("%s round %d mean error %.4f%n", name, r + 1, roundErrors.stream().mapToDouble(x -> x).average().orElse(Double.NaN));
            }
            stateBytes = bytes(strategy.snapshot());
        }
        List<Long> stepList = new ArrayList<>();
        for (long s : steps) {
            stepList.add(s);
        }
        TtaWorkerResult result = new TtaWorkerResult(name, domains.stream().map(Domain::name).toList(), errors,
                samples / (nanos / 1e9), setupRss, ProcessMemory.peakRssMiB(), stateBytes, stepList);
        Files.write(out, new ObjectMapper().writeValueAsBytes(result));
    }

    private static long bytes(StrategyState state) {
        long b = 0;
        for (StrategyState.Tensor t : state.tensors().values()) {
            b += 4L * t.data().length;
        }
        return b;
    }
}
