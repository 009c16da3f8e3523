package io.ctta.runtime;

import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.SourceData;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Real Fashion-MNIST images for model tests below the streams module (which owns the dataset
 * readers): the IDX files of Debian's dataset-fashion-mnist, plus the two transforms the
 * TorchScript fixtures are exercised with. Pixels stay raw 0..255 floats.
 *
 * @param count images
 * @param shape the shape of one sample
 * @param pixels {@code count x shape} raw values
 * @param labels {@code count} labels
 */
public record FashionMnistData(int count, int[] shape, float[] pixels, int[] labels) {

    /** Where Debian's package installs the files. */
    public static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The first {@code n} images of the training ({@code train = true}) or test set, grey 1x28x28. */
    public static FashionMnistData load(boolean train, int n) {
        String prefix = train ? "train" : "t10k";
        try {
            byte[] images = idx(DIR.resolve(prefix + "-images-idx3-ubyte.gz"), 16);
            byte[] labels = idx(DIR.resolve(prefix + "-labels-idx1-ubyte.gz"), 8);
            float[] x = new float[n * 784];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = labels[i] & 0xFF;
                for (int p = 0; p < 784; p++) {
                    x[i * 784 + p] = images[i * 784 + p] & 0xFF;
                }
            }
            return new FashionMnistData(n, new int[] {1, 28, 28}, x, y);
        } catch (IOException e) {
            throw new UncheckedIOException("Fashion-MNIST is needed (apt-get install dataset-fashion-mnist)", e);
        }
    }

    private static byte[] idx(Path file, int header) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            byte[] all = in.readAllBytes();
            byte[] body = new byte[all.length - header];
            System.arraycopy(all, header, body, 0, body.length);
            return body;
        }
    }

    /**
     * A covariate shift BatchNorm adaptation is known to help with: contrast reduced to
     * {@code contrast} around mid-grey plus Gaussian noise of {@code noise} (0..255 units), clamped;
     * labels unchanged. Seeded.
     */
    public FashionMnistData shifted(float contrast, float noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            double v = 128 + contrast * (pixels[i] - 128) + noise * gaussian(r);
            x[i] = (float) Math.max(0, Math.min(255, v));
        }
        return new FashionMnistData(count, shape, x, labels);
    }

    /**
     * Grey 28x28 to RGB 32x32: padded by 2, then foreground and background colours drawn per image
     * (foreground U(0.35, 1), background U(0, 0.3) per channel): the distribution the RGB fixture
     * (resnet-rgb.pt) was trained on (tools/fixtures/make_torchscript_fixtures.py, colourise).
     */
    public FashionMnistData colourised(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int side = 32;
        float[] x = new float[count * 3 * side * side];
        for (int i = 0; i < count; i++) {
            float[] fg = new float[3];
            float[] bg = new float[3];
            for (int c = 0; c < 3; c++) {
                fg[c] = (float) (0.35 + 0.65 * r.nextDouble());
            }
            for (int c = 0; c < 3; c++) {
                bg[c] = (float) (0.3 * r.nextDouble());
            }
            for (int c = 0; c < 3; c++) {
                for (int yy = 0; yy < side; yy++) {
                    for (int xx = 0; xx < side; xx++) {
                        float g = 0;
                        if (yy >= 2 && yy < 30 && xx >= 2 && xx < 30) {
                            g = pixels[i * 784 + (yy - 2) * 28 + (xx - 2)] / 255f;
                        }
                        x[((i * 3 + c) * side + yy) * side + xx] = 255f * (bg[c] + (fg[c] - bg[c]) * g);
                    }
                }
            }
        }
        return new FashionMnistData(count, new int[] {3, side, side}, x, labels);
    }

    /** Samples {@code from .. from + n - 1} as a batch; their labels are written to {@code y}. */
    public InputBatch batch(int from, int n, int[] y) {
        int per = InputBatch.sampleLength(shape);
        float[] x = new float[n * per];
        System.arraycopy(pixels, from * per, x, 0, n * per);
        System.arraycopy(labels, from, y, 0, n);
        return new InputBatch(n, shape, x);
    }

    /** All samples as source data (for warm-ups and prototypes). */
    public SourceData asSource() {
        return new SourceData(pixels, shape, labels);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
