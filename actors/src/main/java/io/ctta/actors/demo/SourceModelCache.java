package io.ctta.actors.demo;

import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.train.SupervisedTrainer;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The built-in CNN trained once on the clean Fashion-MNIST training set and cached as a
 * parameters file; later runs load the cache. The file name carries the model version, the
 * training settings and the seed, so a change to any of them trains a new model.
 */
public final class SourceModelCache {

    private final Path dir;
    private final PrintStream out;

    public SourceModelCache(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    /** The default cache: {@code $CTTA_CACHE_DIR} or {@code ~/.cache/ctta}. */
    public static Path defaultDir() {
        String env = System.getenv("CTTA_CACHE_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "ctta");
    }

    /** Returns the cached weights for these settings, training and caching them when absent. */
    public Path weights(Path fashionMnistDir, TrainSettings train, int trainSamples) throws IOException {
        ModelSpec spec = ModelSpec.builtinCnn();
        // The version names the architecture and preprocessing; keep the file name portable.
        String version = spec.version().replaceAll("[^A-Za-z0-9._-]", "_");
        Path file = dir.resolve(String.format("%s-e%d-b%d-n%d-s%d.params",
                version, train.epochs(), train.batchSize(), trainSamples, train.seed()));
        if (Files.isRegularFile(file)) {
            out.println("Source model: cached " + file);
            return file;
        }
        Files.createDirectories(dir);
        LabeledImages all = FashionMnist.load(fashionMnistDir, FashionMnist.Split.TRAIN);
        LabeledImages images = trainSamples < all.count() ? all.slice(0, trainSamples) : all;
        out.printf("Source model: training the built-in CNN on %d clean Fashion-MNIST images (%d epoch(s)); cached afterwards%n",
                images.count(), train.epochs());
        long steps = (long) train.epochs() * ((images.count() + train.batchSize() - 1) / train.batchSize());
        try (AdaptiveModel model = AdaptiveModel.create(spec, Device.parse("cpu"), train.seed());
                ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).build()) {
            var report = SupervisedTrainer.train(model, images.allFeatures(), new int[] {1, images.rows(), images.cols()},
                    images.labels(), train, step -> bar.stepTo(step));
            bar.stepTo(steps);
            model.saveParameters(file);
            out.println("Source model: " + report);
        }
        return file;
    }
}
