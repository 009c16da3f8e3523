package io.ctta.actors.cli;

import io.ctta.actors.train.ResNetTraining;
import io.ctta.runtime.train.TrainSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctta train}: the built-in ResNet on your labelled images. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Trains the built-in ResNet (builtin-resnet) on labelled images, e.g. an image folder with one sub-folder"
                + " per class, and writes FILE.params with its description FILE.params.json. Serve it with"
                + " ctta.model { kind = builtin-resnet, weights = FILE.params } or ctta demo --model FILE.params.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The labelled images (the dataset directory of --format).")
    Path data;

    @Option(names = "--format", defaultValue = "image-folder", paramLabel = "NAME",
            description = "How to read --data (default ${DEFAULT-VALUE}; ctta replay --list-formats lists the readers).")
    String format;

    @Option(names = "-o", paramLabel = "NAME=VALUE", description = "An option of the reader, e.g. -o split=train (repeatable).")
    Map<String, String> options;

    @Option(names = "--out", required = true, paramLabel = "FILE.params", description = "Where to write the weights.")
    Path out;

    @Option(names = "--image-size", defaultValue = "32", description = "Model input side; images are resized and center-cropped to it (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the data (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Minibatch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.002", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--max-samples", defaultValue = "100000", description = "At most this many images (default ${DEFAULT-VALUE}).")
    int maxSamples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initialisation and the shuffles (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (imageSize < 8) {
            throw new IllegalArgumentException("--image-size must be at least 8, got " + imageSize);
        }
        if (epochs < 1 || batchSize < 2 || !(lr > 0) || maxSamples < 2) {
            throw new IllegalArgumentException("--epochs >= 1, --batch-size >= 2, --lr > 0 and --max-samples >= 2 are needed, got "
                    + epochs + ", " + batchSize + ", " + lr + ", " + maxSamples);
        }
        ResNetTraining.Result r = ResNetTraining.train(format, data, options == null ? Map.of() : options, imageSize, maxSamples,
                new TrainSettings(epochs, batchSize, lr, seed), out, System.out);
        System.out.printf("trained on %d images: last epoch loss %.3f, training accuracy %.1f %% (%d steps, %.0f s)%n",
                r.samples(), r.report().finalEpochLoss(), 100 * r.report().finalEpochAccuracy(), r.report().steps(),
                r.report().millis() / 1000.0);
        System.out.println("wrote " + r.weights() + " and " + r.weights() + ".json (model " + r.spec().version() + ")");
        return 0;
    }
}
