package io.ctta.actors.train;

import io.ctta.actors.model.SourceSamples;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.Preprocessing;
import io.ctta.runtime.train.SupervisedTrainer;
import io.ctta.runtime.train.TrainReport;
import io.ctta.runtime.train.TrainSettings;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.ReaderOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Trains the built-in ResNet ({@code builtin-resnet}) from scratch on labelled images of any dataset
 * reader (an image folder, a stream directory, a WILDS split, colourised Fashion-MNIST), so that RGB
 * data can be served and adapted with no Python anywhere. Images are resized (shorter side) and
 * center-cropped to {@code size x size}, as served records will be; the per-channel mean and
 * standard deviation of the training images become the model's normalisation. Writes the
 * parameter file and its description ({@code FILE.params.json}) next to it.
 */
public final class ResNetTraining {

    /**
     * What was trained.
     *
     * @param spec the model's spec (its description is written beside {@code weights})
     * @param samples training images used
     */
    public record Result(Path weights, ModelSpec spec, int samples, TrainReport report) {}

    private ResNetTraining() {}

    /**
     * @param format the dataset reader, e.g. {@code image-folder}
     * @param options the reader's options
     * @param maxSamples at most this many training images (read in the reader's order)
     * @param out the parameter file to write
     * @throws IllegalArgumentException when the data cannot be read, has fewer than two classes or
     *     labels beyond the label space
     */
    public static Result train(String format, Path data, Map<String, String> options, int size, int maxSamples,
            TrainSettings settings, Path out, PrintStream log) throws IOException {
        int classes;
        try (DatasetSource probe = DatasetReaders.load().open(format, data, ReaderOptions.of(options))) {
            classes = probe.classes().orElse(0);
            log.println("Training data: " + probe.description());
        }
        // Read with a provisional spec: only its geometry (resize, crop) matters for the images.
        ModelSpec geometry = ModelSpec.builtinResNet(Math.max(classes, 2), size, Preprocessing.IDENTITY, "reading");
        SourceData images = classes > 0
                ? SourceSamples.load(format, data, options, maxSamples, geometry, "--data")
                : SourceSamples.loadAnyLabels(format, data, options, maxSamples, geometry, "--data");
        if (classes <= 0) {
            for (int y : images.labels()) {
                classes = Math.max(classes, y + 1);
            }
        }
        if (classes < 2) {
            throw new IllegalArgumentException("--data " + data + ": the images hold " + classes + " class(es); a classifier needs 2 or more");
        }
        Preprocessing normalisation = channelStatistics(images.features(), size);
        String tag = format + "-" + data.toAbsolutePath().normalize().getFileName() + "-n" + images.size() + "-e" + settings.epochs()
                + "-s" + settings.seed();
        ModelSpec spec = ModelSpec.builtinResNet(classes, size, normalisation, tag.replaceAll("[^A-Za-z0-9._-]", "_"));
        long steps = (long) settings.epochs() * ((images.size() + settings.batchSize() - 1) / settings.batchSize());
        log.printf("Training the built-in ResNet on %d images of %d classes at %dx%d (%d epoch(s), batch %d, lr %s)%n",
                images.size(), classes, size, size, settings.epochs(), settings.batchSize(), settings.learningRate());
        try (AdaptiveModel model = AdaptiveModel.create(spec, Device.CPU, settings.seed());
                ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(log)).build()) {
            TrainReport report = SupervisedTrainer.train(model, images.features(), spec.inputShape(), images.labels(), settings,
                    bar::stepTo);
            bar.stepTo(steps);
            Path dir = out.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            model.saveParameters(out);
            spec.writeDescription(out, List.of());
            return new Result(out, spec, images.size(), report);
        }
    }

    /** Per-channel mean and standard deviation of images {@code [n, 3, size, size]} scaled to [0, 1]. */
    static Preprocessing channelStatistics(float[] x, int size) {
        int plane = size * size;
        int n = x.length / (3 * plane);
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * 3 + c) * plane;
                for (int p = 0; p < plane; p++) {
                    double v = x[base + p] / 255.0;
                    sum += v;
                    sq += v * v;
                }
            }
            double m = sum / ((double) n * plane);
            mean[c] = (float) m;
            std[c] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, sq / ((double) n * plane) - m * m)));
        }
        return new Preprocessing(1f / 255f, mean, std);
    }
}
