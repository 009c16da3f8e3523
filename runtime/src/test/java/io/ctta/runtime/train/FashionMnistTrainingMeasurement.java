package io.ctta.runtime.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ModelSpec;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Measures built-in CNN training on the real Fashion-MNIST (60k) when the Debian data set is
 * installed and {@code -Dctta.measure=true}; skipped otherwise (it takes tens of seconds).
 */
class FashionMnistTrainingMeasurement {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void oneEpochOnFashionMnist() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("ctta.measure") && Files.isDirectory(DIR));
        int[] trainY = labels(DIR.resolve("train-labels-idx1-ubyte.gz"));
        float[] trainX = images(DIR.resolve("train-images-idx3-ubyte.gz"));
        int[] testY = labels(DIR.resolve("t10k-labels-idx1-ubyte.gz"));
        float[] testX = images(DIR.resolve("t10k-images-idx3-ubyte.gz"));
        try (AdaptiveModel m = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.CPU, 1)) {
            TrainReport r = SupervisedTrainer.train(m, trainX, new int[] {1, 28, 28}, trainY,
                    new TrainSettings(1, 128, 2e-3f, 1), null);
            int ok = 0;
            for (int from = 0; from < testY.length; from += 1000) {
                float[] x = new float[1000 * 784];
                System.arraycopy(testX, from * 784, x, 0, x.length);
                ModelOutput out = m.predict(new InputBatch(1000, new int[] {1, 28, 28}, x));
                for (int i = 0; i < 1000; i++) {
                    ok += out.predictedClass(i) == testY[from + i] ? 1 : 0;
                }
            }
            System.out.println("FMNIST train " + r + " test accuracy " + ok / (double) testY.length);
            assertTrue(ok / (double) testY.length > 0.8);
        }
    }

    private static int[] labels(Path p) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(p)))) {
            in.readInt();
            int n = in.readInt();
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = in.readUnsignedByte();
            }
            return y;
        }
    }

    private static float[] images(Path p) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(p)))) {
            in.readInt();
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] raw = in.readNBytes(n * rows * cols);
            float[] x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                x[i] = raw[i] & 0xff;
            }
            return x;
        }
    }
}
