package io.ctta.benchmarks;

import io.ctta.benchmarks.tta.TtaBench;
import io.ctta.streams.data.FashionMnist;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctta bench}: the benchmark harness. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark harness: accuracy, throughput and memory of strategies on benchmark streams; writes Markdown and PNG reports.",
        subcommands = {BenchCommand.Tta.class, io.ctta.benchmarks.continual.ContinualCommand.class, BenchCommand.Reloop.class,
                BenchCommand.Pipeline.class, BenchCommand.OutputModes.class, BenchCommand.BrokerRestart.class,
                BenchCommand.Jmh.class, BenchCommand.Scale.class, BenchCommand.ScaleNodes.class, BenchCommand.KeyScope.class, BenchCommand.ReadmeTable.class})
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** {@code ctta bench tta}. */
    @Command(name = "tta", mixinStandardHelpOptions = true,
            description = "Strategies over a stream for N rounds without resets, in-process (the papers' plain loop: batches cut"
                    + " per domain, no guards), one worker JVM per strategy. Default: the built-in CNN on continual Fashion-MNIST-C"
                    + " (severity 5, fixed order); --model and --stream run your model on your stream.")
    public static final class Tta implements Callable<Integer> {
        @Option(names = "--strategies", split = ",", defaultValue = "source,norm,tent", description = "Strategies (default ${DEFAULT-VALUE}).")
        List<String> strategies;

        @Option(names = "--rounds", defaultValue = "5", description = "Passes over the whole stream without reset (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--samples-per-domain", defaultValue = "1000", description = "Samples per corruption (default ${DEFAULT-VALUE}).")
        int samplesPerDomain;

        @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--source-samples", defaultValue = "10000", description = "Clean training samples given to strategies that warm up or replay (default ${DEFAULT-VALUE}).")
        int sourceSamples;

        @Option(names = "--out", defaultValue = "bench-tta", description = "Report directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--data", description = "Fashion-MNIST directory.")
        Path data;

        @Option(names = "--model", paramLabel = "FILE", description = "Your model: a TorchScript FILE.pt (with FILE.pt.json), or the"
                + " FILE.params of a built-in ResNet from ctta train. Default: the built-in CNN.")
        Path model;

        @Option(names = "--stream", paramLabel = "DIR", description = "Your stream: a stream directory, or the dataset directory of --format.")
        Path stream;

        @Option(names = "--format", paramLabel = "NAME", description = "How to read --stream (default stream-dir; ctta replay --list-formats).")
        String format;

        @Option(names = "-o", paramLabel = "NAME=VALUE", description = "An option of the stream's reader (repeatable).")
        Map<String, String> streamOptions;

        @Option(names = "--source-data", paramLabel = "FORMAT:PATH", description = "Labelled source data for strategies that warm up"
                + " (ecotta, rmt), e.g. image-folder:/data/train, or fashion-mnist-rgb (colourised). Default: Fashion-MNIST's"
                + " training set for the built-in CNN.")
        String sourceData;

        @Override
        public Integer call() throws Exception {
            String fmt = stream == null ? format : (format == null ? "stream-dir" : format);
            if (fmt != null && stream == null) {
                throw new IllegalArgumentException("--format " + fmt + " needs --stream DIR");
            }
            if (sourceData != null && !sourceData.equals("fashion-mnist-rgb") && sourceData.indexOf(':') < 2) {
                throw new IllegalArgumentException("--source-data must be FORMAT:PATH, e.g. image-folder:/data/train, got " + sourceData);
            }
            TtaBench bench = new TtaBench(new TtaBench.Options(strategies, rounds, samplesPerDomain, batchSize, seed, sourceSamples, out,
                    data == null ? FashionMnist.defaultDirectory() : data, 3, model, fmt, stream,
                    streamOptions == null ? Map.of() : streamOptions, sourceData), System.out);
            bench.run();
            return bench.failures().isEmpty() ? 0 : 1;
        }
    }

    /** {@code ctta bench reloop}: options as in docs/strategies/reloop2.md; unset options keep ReloopBench's defaults. */
    @Command(name = "reloop", mixinStandardHelpOptions = true, sortOptions = false,
            description = "A base strategy against base+reloop2 on the MovieLens ratings stream (Debian package r-cran-dslabs), "
                    + "prequential with an optional label delay; writes a Markdown table and a PNG of AUC/RMSE over time. "
                    + "docs/strategies/reloop2.md.")
    public static final class Reloop implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "SOURCE", description = "movielens (default) or synthetic.")
        String data;

        @Option(names = "--label", paramLabel = "KIND", description = "click (default: rating >= 4) or rating (10 classes).")
        String label;

        @Option(names = "--bases", paramLabel = "LIST", description = "Base strategies, comma-separated (default source,sgd,adam).")
        String bases;

        @Option(names = "--variants", paramLabel = "LIST", description = "ReLoop2 settings per variant, semicolon-separated"
                + " HOCON (default ';memory = knn;lambda = 0.9').")
        String variants;

        @Option(names = "--train-fraction", paramLabel = "F", description = "Share of the ratings (in time order) the base"
                + " model is trained on before streaming (default 0.5).")
        String trainFraction;

        @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default 5).")
        String epochs;

        @Option(names = "--lr", paramLabel = "A", description = "Training learning rate (default 0.003).")
        String lr;

        @Option(names = "--batch", paramLabel = "N", description = "Ratings per prequential batch (default 64).")
        String batch;

        @Option(names = "--delay-sec", paramLabel = "S", description = "Label delay in stream seconds (default 0).")
        String delaySec;

        @Option(names = "--window", paramLabel = "N", description = "Ratings per point of the metric curves (default 5000).")
        String window;

        @Option(names = "--buckets", paramLabel = "N", description = "Hash buckets per categorical field (default 16384).")
        String buckets;

        @Option(names = "--seed", paramLabel = "N", description = "Seed (default 1).")
        String seed;

        @Option(names = "--out", paramLabel = "DIR", description = "Report directory (default reloop-bench).")
        String out;

        @Override
        public Integer call() throws Exception {
            List<String> args = new java.util.ArrayList<>();
            String[][] given = {{"data", data}, {"label", label}, {"bases", bases}, {"variants", variants},
                {"train-fraction", trainFraction}, {"epochs", epochs}, {"lr", lr}, {"batch", batch},
                {"delay-sec", delaySec}, {"window", window}, {"buckets", buckets}, {"seed", seed}, {"out", out}};
            for (String[] g : given) {
                if (g[1] != null) {
                    args.add("--" + g[0]);
                    args.add(g[1]);
                }
            }
            io.ctta.benchmarks.reloop.ReloopBench.main(args.toArray(String[]::new));
            return 0;
        }
    }

    /** {@code ctta bench pipeline}. */
    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "Samples/s of each strategy through the whole pipeline (Kafka broker in another process, codecs, actors,"
                    + " drift, metrics) against a plain in-process loop, in one run, with the wall time of each pipeline stage"
                    + " and optionally a JFR profile of the pipeline's Java code.")
    public static final class Pipeline implements Callable<Integer> {
        @Option(names = "--strategies", split = ",", defaultValue = "source,tent", description = "Strategies (default ${DEFAULT-VALUE}).")
        List<String> strategies;

        @Option(names = "--samples-per-domain", defaultValue = "1000", description = "Samples per corruption (default ${DEFAULT-VALUE}).")
        int samplesPerDomain;

        @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "A running broker to use; default: the embedded broker"
                + " started as a child JVM (EmbeddedKafkaMain), never in this process.")
        String bootstrap;

        @Option(names = "--jfr", paramLabel = "PREFIX", description = "Record each pipeline with JFR to PREFIX-<strategy>.jfr and print"
                + " its hot methods, libraries and threads (jdk.ExecutionSample).")
        Path jfr;

        @Option(names = "--rounds", defaultValue = "1", description = "Loop and pipeline alternate this many times per strategy;"
                + " the report gives medians (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--quick-model", description = "Serve the source model of ctta demo --quick (1 epoch on 20,000 images; minutes"
                + " to train once) instead of the demo's (3 epochs on 60,000): the same network, so the same cost per sample.")
        boolean quickModel;

        @Option(names = "--warm-up", defaultValue = "1", description = "Unmeasured pipelines per strategy before the rounds, while the JIT"
                + " compiles the pipeline's code (default ${DEFAULT-VALUE}).")
        int warmUps;

        @Override
        public Integer call() throws Exception {
            new PipelineVsLoop(new PipelineVsLoop.Options(samplesPerDomain, strategies, batchSize, 1, bootstrap, jfr, quickModel, rounds,
                    warmUps), System.out).run();
            return 0;
        }
    }

    /** {@code ctta bench output-modes}. */
    @Command(name = "output-modes", mixinStandardHelpOptions = true,
            description = "Throughput of exactly-once output against at-least-once: one pipeline, same stream, alternating modes, in one run.")
    public static final class OutputModes implements Callable<Integer> {
        @Option(names = "--strategy", defaultValue = "tent", description = "Strategy (default ${DEFAULT-VALUE}).")
        String strategy;

        @Option(names = "--samples-per-domain", defaultValue = "1000", description = "Samples per corruption (default ${DEFAULT-VALUE}).")
        int samplesPerDomain;

        @Option(names = "--rounds", defaultValue = "2", description = "Runs of each mode, alternating (default ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() throws Exception {
            OutputModeCost.main(new String[] {String.valueOf(samplesPerDomain), strategy, String.valueOf(rounds)});
            return 0;
        }
    }

    /** {@code ctta bench jmh}: the JMH micro-benchmarks of the hot paths (docs/benchmarks/steps.md). */
    @Command(name = "jmh", mixinStandardHelpOptions = true,
            description = "JMH micro-benchmarks of the hot paths (strategy steps, UPGD noise, record codec, drift detectors,"
                    + " checkpoint write); every argument goes to JMH, e.g. 'ctta bench jmh -wi 2 -i 3 -f 1 LearnerStepBench'."
                    + " Prints the machine the figures come from.")
    public static final class Jmh implements Callable<Integer> {
        @picocli.CommandLine.Unmatched
        List<String> jmhArgs = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            System.out.println("# machine: " + Machine.describe());
            org.openjdk.jmh.runner.options.CommandLineOptions options =
                    new org.openjdk.jmh.runner.options.CommandLineOptions(jmhArgs.toArray(new String[0]));
            new org.openjdk.jmh.runner.Runner(options).run();
            System.out.println("# machine: " + Machine.describe());
            return 0;
        }
    }

    /** {@code ctta bench broker-restart}. */
    @Command(name = "broker-restart", mixinStandardHelpOptions = true,
            description = "What a restart of the embedded broker costs, after a clean stop and after kill -9: a broker process on one"
                    + " data directory and port, started, sent one record and stopped, several times; prints process start to"
                    + " broker up and to the first produce acknowledged.")
    public static final class BrokerRestart implements Callable<Integer> {
        @Option(names = "--rounds", defaultValue = "3", description = "Restarts of each kind (default ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() throws Exception {
            BrokerRestartTiming.main(new String[] {String.valueOf(rounds)});
            return 0;
        }
    }

    /** {@code ctta bench scale}. */
    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = "Samples/s of one model against N models adapting at once in one JVM, each on its own thread over the"
                    + " same stream (Fashion-MNIST-C, built-in CNN), in one run; prints the ratio (docs/scaling.md)."
                    + " One ctta process against several: ctta bench scale-nodes.")
    public static final class Scale implements Callable<Integer> {
        @Option(names = "--strategy", defaultValue = "tent", description = "Strategy (default ${DEFAULT-VALUE}).")
        String strategy;

        @Option(names = "--models", split = ",", defaultValue = "1,2", description = "Model counts to measure (default ${DEFAULT-VALUE}).")
        List<Integer> models;

        @Option(names = "--batch", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--batches", defaultValue = "150", description = "Batches each model serves, timed (default ${DEFAULT-VALUE}).")
        int batches;

        @Option(names = "--warm-up", defaultValue = "5", description = "Batches each model serves before the clock starts (default ${DEFAULT-VALUE}).")
        int warmUp;

        @Option(names = "--intra-op-threads", split = ",", defaultValue = "0", description = "Operator threads per model thread;"
                + " 0 = cores / models, as ctta.model.intra-op-threads; several (e.g. 1,2) measure each (default ${DEFAULT-VALUE}).")
        List<Integer> intraOpThreads;

        @Option(names = "--serialize-backward", description = "Also measure every count with the old JVM-wide lock around every"
                + " backward pass (tent only), to show what per-thread gradient sessions buy.")
        boolean serializeBackward;

        @Option(names = "--weights", paramLabel = "FILE", description = "Parameters of the built-in CNN (default: its seeded"
                + " initialisation; a step costs the same).")
        Path weights;

        @Option(names = "--data", description = "Fashion-MNIST directory (default: the installed one).")
        Path data;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--rounds", defaultValue = "1", description = "Repetitions of the whole set, each compared with its own"
                + " one-model run (default ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() throws Exception {
            io.ctta.benchmarks.scale.ScaleBench.Options o = new io.ctta.benchmarks.scale.ScaleBench.Options(strategy, models, batch,
                    batches, intraOpThreads, serializeBackward, warmUp, seed, data == null ? FashionMnist.defaultDirectory() : data, weights, rounds);
            List<io.ctta.benchmarks.scale.ScaleBench.Row> rows = new io.ctta.benchmarks.scale.ScaleBench(o, System.out).run();
            System.out.println();
            System.out.print(io.ctta.benchmarks.scale.ScaleBench.table(rows));
            return 0;
        }
    }

    /** {@code ctta bench scale-nodes}. */
    @Command(name = "scale-nodes", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Samples/s of one ctta run process against N on the same machine, serving the same stream: a pipeline"
                    + " with scope = partition over P input partitions, shared through its consumer group, checkpoints in Kafka;"
                    + " a broker and every node in child JVMs, a new consumer group per measurement; prints each node's CPU and"
                    + " the ratio N nodes / 1 node (docs/benchmarks/scale.md).")
    public static final class ScaleNodes implements Callable<Integer> {
        @Option(names = "--nodes", split = ",", defaultValue = "1,2", description = "Node counts to measure (default ${DEFAULT-VALUE}).")
        List<Integer> nodes;

        @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the input topic: models in all (default ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--samples-per-domain", defaultValue = "1000", description = "Records per corruption; 15 corruptions"
                + " (default ${DEFAULT-VALUE}).")
        int samplesPerDomain;

        @Option(names = "--strategy", defaultValue = "tent", description = "Strategy (default ${DEFAULT-VALUE}).")
        String strategy;

        @Option(names = "--batch", defaultValue = "64", description = "The pipeline's batch-size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--model-threads", defaultValue = "0", description = "Model threads per node (ctta-model-dispatcher's pool);"
                + " 0 = cores / nodes, at most the node's partitions (default ${DEFAULT-VALUE}).")
        int modelThreads;

        @Option(names = "--intra-op-threads", defaultValue = "0", description = "ctta.model.intra-op-threads of each node; 0 ="
                + " cores / (nodes x model threads), at least 1 (default ${DEFAULT-VALUE}).")
        int intraOpThreads;

        @Option(names = "--node-heap", defaultValue = "1g", description = "Each node's -Xmx (default ${DEFAULT-VALUE}).")
        String nodeHeap;

        @Option(names = "--rounds", defaultValue = "1", description = "Repetitions of the whole set, each compared with its own"
                + " one-node run; the order of the node counts alternates (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--weights", paramLabel = "FILE", description = "Parameters of the built-in CNN (default: its seeded"
                + " initialisation, as ctta run without ctta.model.weights; a step costs the same).")
        Path weights;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "A running broker to use; default: the embedded broker"
                + " started as a child JVM.")
        String bootstrap;

        @Option(names = "--work", paramLabel = "DIR", description = "Where the nodes' configs and logs go (default: a new temporary directory).")
        Path work;

        @Option(names = "--data", description = "Fashion-MNIST directory (default: the installed one).")
        Path data;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the stream (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            io.ctta.benchmarks.nodes.NodesBench.Options o = new io.ctta.benchmarks.nodes.NodesBench.Options(strategy, nodes, partitions,
                    samplesPerDomain, batch, modelThreads, intraOpThreads, nodeHeap, rounds, seed,
                    data == null ? FashionMnist.defaultDirectory() : data, weights, bootstrap, work);
            List<io.ctta.benchmarks.nodes.NodesBench.Row> rows = new io.ctta.benchmarks.nodes.NodesBench(o, System.out).run();
            System.out.println();
            System.out.print(io.ctta.benchmarks.nodes.NodesBench.table(rows));
            System.out.println();
            System.out.print(io.ctta.benchmarks.nodes.NodesBench.summary(rows));
            return 0;
        }
    }

    /** {@code ctta bench key-scope}. */
    @Command(name = "key-scope", mixinStandardHelpOptions = true,
            description = "Samples/s of scope = pipeline against scope = key (one state per record key over one network, an LRU"
                    + " of states, evicted ones written to files and read back) over the same batches, and the bytes of one key's"
                    + " state (docs/scopes.md).")
    public static final class KeyScope implements Callable<Integer> {
        @Option(names = "--strategy", defaultValue = "tent", description = "Strategy: source, norm, tent or ecotta (default ${DEFAULT-VALUE}).")
        String strategy;

        @Option(names = "--keys", defaultValue = "10000", description = "Record keys the stream is spread over (default ${DEFAULT-VALUE}).")
        int keys;

        @Option(names = "--batch", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--batches", defaultValue = "300", description = "Batches timed (default ${DEFAULT-VALUE}).")
        int batches;

        @Option(names = "--max-resident", defaultValue = "1000", description = "key-states.max-resident (default ${DEFAULT-VALUE}).")
        int maxResident;

        @Option(names = "--run-length", defaultValue = "1", description = "Records in a row of one key; 1: a key drawn at random"
                + " for every record (default ${DEFAULT-VALUE}).")
        int runLength;

        @Option(names = "--warm-up", defaultValue = "5", description = "Batches served before the clock starts (default ${DEFAULT-VALUE}).")
        int warmUp;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            io.ctta.benchmarks.keyscope.KeyScopeBench bench = new io.ctta.benchmarks.keyscope.KeyScopeBench(
                    new io.ctta.benchmarks.keyscope.KeyScopeBench.Options(strategy, keys, batch, batches, maxResident, runLength, warmUp, seed),
                    System.out);
            List<io.ctta.benchmarks.keyscope.KeyScopeBench.Row> rows = bench.run();
            System.out.println();
            System.out.print(bench.table(rows));
            return 0;
        }
    }

    /** {@code ctta bench readme-table}. */
    @Command(name = "readme-table", mixinStandardHelpOptions = true,
            description = "Regenerates README's benchmark table from the bench markers of docs/benchmarks/*.md"
                    + " (docs/benchmarks/README.md); --check only says whether it is up to date.")
    public static final class ReadmeTable implements Callable<Integer> {
        @Option(names = "--root", defaultValue = ".", description = "The repository root (default: the current directory).")
        Path root;

        @Option(names = "--check", description = "Change nothing; exit 1 when README's table differs from the generated one.")
        boolean check;

        @Override
        public Integer call() throws Exception {
            Path readme = root.resolve("README.md");
            String now = java.nio.file.Files.readString(readme);
            String generated = io.ctta.benchmarks.docs.ReadmeBenchTable.regenerated(root);
            if (now.equals(generated)) {
                System.out.println("README.md's benchmark table is up to date.");
                return 0;
            }
            if (check) {
                System.out.println("README.md's benchmark table differs from docs/benchmarks: run ctta bench readme-table");
                return 1;
            }
            java.nio.file.Files.writeString(readme, generated);
            System.out.println("README.md's benchmark table regenerated from docs/benchmarks.");
            return 0;
        }
    }
}
