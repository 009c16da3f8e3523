package io.ctta.benchmarks.tta;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ctta.actors.model.SourceSamples;
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
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One strategy over a stream for N rounds, in its own process so that its peak memory is its own.
 * The plain loop of the papers' code: batches cut per domain, {@code predict} on each (test-time
 * strategies adapt inside it), no guards, no Kafka. Arguments: {@code name=value} pairs, see
 * {@link TtaBench#workerArguments}.
 */
public final class TtaWorker {

    private TtaWorker() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String name = a.get("strategy");
        int rounds = Integer.parseInt(a.get("rounds"));
        int batch = Integer.parseInt(a.get("batch"));
        long seed = Long.parseLong(a.get("seed"));
        Path out = Path.of(a.get("out"));

        ModelSpec spec = spec(Path.of(a.get("model")));
        List<String> domains = new ArrayList<>();
        List<List<InputBatch>> batches = new ArrayList<>();
        List<List<int[]>> labels = new ArrayList<>();
        try (DatasetSource source = DatasetReaders.load().open(a.get("format"), Path.of(a.get("stream")),
                ReaderOptions.of(options(a.get("options"))))) {
            cut(source, spec, batch, domains, batches, labels);
        }
        SourceData sourceData = null;
        if (!a.getOrDefault("source-format", "").isEmpty()) {
            sourceData = SourceSamples.load(a.get("source-format"), Path.of(a.get("source-data")),
                    options(a.get("source-options")), Integer.parseInt(a.get("source-samples")), spec, "--source-data");
        }
        Config all = ConfigFactory.load();
        String path = "ctta.strategies." + com.typesafe.config.ConfigUtil.joinPath(name);
        Config settings = all.hasPath(path) ? all.getConfig(path) : ConfigFactory.empty();
        AdaptiveModel model = AdaptiveModel.create(spec, Device.parse("cpu"), seed);
        if (spec.kind() != ModelSpec.Kind.TORCHSCRIPT) {
            model.loadParameters(Path.of(a.get("model")));
        }
        long[] steps = new long[StepOutcome.Kind.values().length];
        List<List<Double>> errors = new ArrayList<>();
        double setupRss;
        long samples = 0;
        long nanos = 0;
        long stateBytes;
        try (AdaptationStrategy strategy = StrategyRegistry.load().create(name, new StrategyContext(model, settings, seed, sourceData))) {
            sourceData = null; // the strategy keeps what it needs
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
        TtaWorkerResult result = new TtaWorkerResult(name, domains, errors, samples / (nanos / 1e9), setupRss,
                ProcessMemory.peakRssMiB(), stateBytes, stepList);
        Files.write(out, new ObjectMapper().writeValueAsBytes(result));
    }

    /** The model a file names: a TorchScript {@code .pt}, a built-in ResNet's {@code .params}, else built-in CNN weights. */
    static ModelSpec spec(Path model) {
        String name = model.getFileName().toString();
        if (name.endsWith(".pt")) {
            return ModelSpec.torchScript(model);
        }
        if (Files.isRegularFile(model.resolveSibling(name + ModelSpec.DESCRIPTION_SUFFIX))) {
            return ModelSpec.builtinResNet(model);
        }
        return ModelSpec.builtinCnn();
    }

    /** The stream cut into batches per domain (never across two domains), as the model's input. */
    private static void cut(DatasetSource source, ModelSpec spec, int batch, List<String> domains, List<List<InputBatch>> batches,
            List<List<int[]>> labels) {
        int per = InputBatch.sampleLength(spec.inputShape());
        Iterator<Sample> it = source.samples();
        String current = null;
        List<float[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        while (it.hasNext()) {
            Sample s = it.next();
            if (!s.domain().equals(current)) {
                flush(x, y, per, spec, batches, labels);
                current = s.domain();
                domains.add(current);
                batches.add(new ArrayList<>());
                labels.add(new ArrayList<>());
            }
            x.add(spec.toModelInput(s.features().shape(), s.features().values()));
            y.add(s.label());
            if (x.size() == batch) {
                flush(x, y, per, spec, batches, labels);
            }
        }
        flush(x, y, per, spec, batches, labels);
    }

    private static void flush(List<float[]> x, List<Integer> y, int per, ModelSpec spec, List<List<InputBatch>> batches,
            List<List<int[]>> labels) {
        if (x.isEmpty()) {
            return;
        }
        float[] f = new float[x.size() * per];
        int[] l = new int[x.size()];
        for (int i = 0; i < x.size(); i++) {
            System.arraycopy(x.get(i), 0, f, i * per, per);
            l[i] = y.get(i);
        }
        batches.get(batches.size() - 1).add(new InputBatch(x.size(), spec.inputShape(), f));
        labels.get(labels.size() - 1).add(l);
        x.clear();
        y.clear();
    }

    /** {@code a:1,b:2} to a map (the worker's command line carries the reader options so). */
    static Map<String, String> options(String encoded) {
        Map<String, String> o = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return o;
        }
        for (String pair : encoded.split(",(?=[^,:]+:)")) {
            int colon = pair.indexOf(':');
            o.put(pair.substring(0, colon), pair.substring(colon + 1));
        }
        return o;
    }

    private static long bytes(StrategyState state) {
        long b = 0;
        for (StrategyState.Tensor t : state.tensors().values()) {
            b += 4L * t.data().length;
        }
        return b;
    }
}
