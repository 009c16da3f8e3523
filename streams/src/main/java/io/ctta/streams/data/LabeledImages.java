package io.ctta.streams.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable-by-convention set of grayscale images with integer labels.
 *
 * <p>Pixels are unsigned bytes (0..255) in row-major order, image after image: pixel
 * {@code (i, r, c)} lives at {@code i * rows * cols + r * cols + c}. The record does not copy its
 * arrays (datasets are large); callers must not mutate arrays they have handed over or read back.
 *
 * @param count number of images, {@code >= 0}
 * @param rows image height, {@code > 0}
 * @param cols image width, {@code > 0}
 * @param pixels {@code count * rows * cols} unsigned bytes
 * @param labels {@code count} labels, each {@code >= 0}
 */
public record LabeledImages(int count, int rows, int cols, byte[] pixels, int[] labels) {

    /** Validates sizes, so that every accessor can trust the layout. */
    public LabeledImages {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "rows and cols must be > 0, got " + rows + "x" + cols);
        }
        long expected = (long) count * rows * cols;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels has " + pixels.length
                    + " bytes but count*rows*cols = " + count + "*" + rows + "*" + cols + " = "
                    + expected);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException(
                    "labels has " + labels.length + " entries but count is " + count);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException(
                        "label " + i + " is negative (" + labels[i] + ")");
            }
        }
    }

    /** Number of pixels in one image. */
    public int imageSize() {
        return rows * cols;
    }

    /** Pixel value 0..255 of image {@code i} at row {@code r}, column {@code c}. */
    public int pixel(int i, int r, int c) {
        Objects.checkIndex(i, count);
        Objects.checkIndex(r, rows);
        Objects.checkIndex(c, cols);
        return pixels[i * imageSize() + r * cols + c] & 0xFF;
    }

    /** Label of image {@code i}. */
    public int label(int i) {
        return labels[Objects.checkIndex(i, count)];
    }

    /** Image {@code i} as float32 values 0..255 (not normalised: the model's codec decides). */
    public float[] featuresOf(int i) {
        Objects.checkIndex(i, count);
        int n = imageSize();
        float[] out = new float[n];
        int base = i * n;
        for (int k = 0; k < n; k++) {
            out[k] = pixels[base + k] & 0xFF;
        }
        return out;
    }

    /** All images as float32 values 0..255, {@code count * rows * cols} long, row-major. */
    public float[] allFeatures() {
        float[] out = new float[pixels.length];
        for (int k = 0; k < pixels.length; k++) {
            out[k] = pixels[k] & 0xFF;
        }
        return out;
    }

    /** Images {@code [from, to)} as a new set (arrays are copied). */
    public LabeledImages slice(int from, int to) {
        Objects.checkFromToIndex(from, to, count);
        int n = imageSize();
        return new LabeledImages(to - from, rows, cols,
                Arrays.copyOfRange(pixels, from * n, to * n),
                Arrays.copyOfRange(labels, from, to));
    }

    /** The images at {@code indices}, in that order (repeats allowed). */
    public LabeledImages select(int[] indices) {
        int n = imageSize();
        byte[] px = new byte[indices.length * n];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = Objects.checkIndex(indices[k], count);
            System.arraycopy(pixels, i * n, px, k * n, n);
            lb[k] = labels[i];
        }
        return new LabeledImages(indices.length, rows, cols, px, lb);
    }

    /**
     * Concatenates sets of equal image size, in order.
     *
     * @throws IllegalArgumentException if the list is empty or sizes differ
     */
    public static LabeledImages concat(List<LabeledImages> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat needs at least one part");
        }
        LabeledImages first = parts.get(0);
        long total = 0;
        for (LabeledImages p : parts) {
            if (p.rows != first.rows || p.cols != first.cols) {
                throw new IllegalArgumentException("cannot concat " + p.rows + "x" + p.cols
                        + " images with " + first.rows + "x" + first.cols + " images");
            }
            total += p.count;
        }
        if (total * first.imageSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("concatenation of " + total + " images is too"
                    + " large for one array");
        }
        byte[] px = new byte[(int) total * first.imageSize()];
        int[] lb = new int[(int) total];
        int at = 0;
        for (LabeledImages p : parts) {
            System.arraycopy(p.pixels, 0, px, at * first.imageSize(), p.pixels.length);
            System.arraycopy(p.labels, 0, lb, at, p.count);
            at += p.count;
        }
        return new LabeledImages((int) total, first.rows, first.cols, px, lb);
    }

    /** Histogram of labels, of length {@code max(label) + 1} (empty when there are no images). */
    public int[] labelHistogram() {
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        int[] h = new int[max + 1];
        for (int l : labels) {
            h[l]++;
        }
        return h;
    }

    /** Content equality: same shape, same pixels, same labels (records compare arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof LabeledImages other && count == other.count && rows == other.rows
                && cols == other.cols && Arrays.equals(pixels, other.pixels)
                && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Objects.hash(count, rows, cols) + Arrays.hashCode(pixels))
                + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "LabeledImages[" + count + " x " + rows + "x" + cols + "]";
    }
}
