package io.ctta.streams.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf 2017) from its four IDX files.
 *
 * <p>The Debian package {@code dataset-fashion-mnist} installs them in
 * {@code /usr/share/datasets/fashion-mnist}; the environment variable
 * {@code CTTA_FASHION_MNIST_DIR} overrides that default. Files may be gzipped
 * ({@code train-images-idx3-ubyte.gz}) or plain ({@code train-images-idx3-ubyte}).
 */
public final class FashionMnist {
    /** Environment variable that overrides {@link #defaultDirectory()}. */
    public static final String DIR_ENV = "CTTA_FASHION_MNIST_DIR";
    /** Where the Debian package installs the files. */
    public static final Path INSTALLED_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Image height and width. */
    public static final int SIDE = 28;
    /** Class names, indexed by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The two published splits. */
    public enum Split {
        /** 60,000 training images ({@code train-*}). */
        TRAIN("train"),
        /** 10,000 test images ({@code t10k-*}). */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** File name prefix of this split, {@code train} or {@code t10k}. */
        public String prefix() {
            return prefix;
        }
    }

    private FashionMnist() {}

    /** {@code $CTTA_FASHION_MNIST_DIR} when set and not blank, else {@link #INSTALLED_DIR}. */
    public static Path defaultDirectory() {
        String env = System.getenv(DIR_ENV);
        return env == null || env.isBlank() ? INSTALLED_DIR : Path.of(env);
    }

    /** Loads a split from {@link #defaultDirectory()}. */
    public static LabeledImages load(Split split) throws IOException {
        return load(defaultDirectory(), split);
    }

    /**
     * Loads a split from {@code dir}.
     *
     * @throws NoSuchFileException with installation advice if the directory or a file is missing
     * @throws IdxFormatException if a file is malformed or not 28x28
     */
    public static LabeledImages load(Path dir, Split split) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "Fashion-MNIST directory not"
                    + " found; install it with `apt-get install -y dataset-fashion-mnist` or pass"
                    + " a directory holding " + split.prefix() + "-images-idx3-ubyte[.gz] (or"
                    + " set " + DIR_ENV + ")");
        }
        Path images = find(dir, split.prefix() + "-images-idx3-ubyte");
        Path labels = find(dir, split.prefix() + "-labels-idx1-ubyte");
        LabeledImages data = IdxReader.read(images, labels);
        if (data.rows() != SIDE || data.cols() != SIDE) {
            throw new IdxFormatException(images + ": Fashion-MNIST images are 28x28 but this file"
                    + " holds " + data.rows() + "x" + data.cols() + " images");
        }
        return data;
    }

    private static Path find(Path dir, String base) throws NoSuchFileException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new NoSuchFileException(gz.toString(), null, "neither " + base + ".gz nor " + base
                + " is in " + dir + "; install Fashion-MNIST with `apt-get install -y"
                + " dataset-fashion-mnist` or pass a directory that holds the four IDX files");
    }
}
