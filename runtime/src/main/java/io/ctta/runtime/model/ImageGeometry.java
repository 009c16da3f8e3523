package io.ctta.runtime.model;

import java.util.Arrays;

/**
 * How an image of any size becomes the model's input size: an optional resize, then an optional
 * center crop, as torchvision's {@code Resize(size)} followed by {@code CenterCrop(crop)}.
 *
 * <p>Resize: {@code size = [s]} scales the shorter side to {@code s} and the longer one to
 * {@code floor(s * long / short)} (aspect kept, torchvision's rule); {@code size = [h, w]} scales
 * to exactly {@code h x w}. Interpolation is bilinear with antialiasing when shrinking (the
 * separable triangle filter of Pillow and of torchvision's {@code antialias=True}); values stay
 * floats, nothing is rounded to bytes. Crop: the central {@code h x w} window, its top-left corner
 * at {@code round((H - h) / 2)}, {@code round((W - w) / 2)} with ties to even, as torchvision
 * computes it with Python's {@code round}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param resize {@code null} (no resize), {@code [shorter side]} or {@code [height, width]}
 * @param centerCrop {@code null} (no crop) or {@code [height, width]}
 */
public record ImageGeometry(int[] resize, int[] centerCrop) {

    /** No resize, no crop: images must already have the model's size. */
    public static final ImageGeometry NONE = new ImageGeometry(null, null);

    public ImageGeometry {
        if (resize != null && (resize.length < 1 || resize.length > 2 || Arrays.stream(resize).anyMatch(d -> d <= 0))) {
            throw new IllegalArgumentException("resize must be [shorter side] or [height, width] of positive sizes, got "
                    + Arrays.toString(resize));
        }
        if (centerCrop != null && (centerCrop.length != 2 || Arrays.stream(centerCrop).anyMatch(d -> d <= 0))) {
            throw new IllegalArgumentException("centerCrop must be [height, width] of positive sizes, got "
                    + Arrays.toString(centerCrop));
        }
        resize = resize == null ? null : resize.clone();
        centerCrop = centerCrop == null ? null : centerCrop.clone();
    }

    /** Whether images of any size are accepted (a resize or a crop is declared). */
    public boolean acceptsAnySize() {
        return resize != null || centerCrop != null;
    }

    @Override
    public int[] resize() {
        return resize == null ? null : resize.clone();
    }

    @Override
    public int[] centerCrop() {
        return centerCrop == null ? null : centerCrop.clone();
    }

    /** The height and width after the resize, for an image of {@code h x w}. */
    public int[] resizedSize(int h, int w) {
        if (resize == null) {
            return new int[] {h, w};
        }
        if (resize.length == 2) {
            return new int[] {resize[0], resize[1]};
        }
        int s = resize[0];
        if (h <= w) {
            return new int[] {s, (int) ((long) s * w / h)};
        }
        return new int[] {(int) ((long) s * h / w), s};
    }

    /** The output height and width for an image of {@code h x w}. */
    public int[] outputSize(int h, int w) {
        int[] r = resizedSize(h, w);
        return centerCrop == null ? r : new int[] {centerCrop[0], centerCrop[1]};
    }

    /**
     * Resizes and crops a channel-planar image ({@code channels x h x w}, row-major).
     *
     * @throws IllegalArgumentException when the crop is larger than the resized image
     */
    public float[] apply(float[] image, int channels, int h, int w) {
        if ((long) channels * h * w != image.length) {
            throw new IllegalArgumentException("image holds " + image.length + " values, not " + channels + "x" + h + "x" + w);
        }
        int[] r = resizedSize(h, w);
        float[] resized = r[0] == h && r[1] == w ? image : resize(image, channels, h, w, r[0], r[1]);
        if (centerCrop == null) {
            return resized;
        }
        return crop(resized, channels, r[0], r[1], centerCrop[0], centerCrop[1]);
    }

    /** Bilinear resampling with Pillow's antialiasing, separable (rows, then columns). */
    static float[] resize(float[] image, int channels, int h, int w, int outH, int outW) {
        Kernel horizontal = Kernel.of(w, outW);
        Kernel vertical = Kernel.of(h, outH);
        float[] rows = new float[channels * h * outW];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                int in = (c * h + y) * w;
                int out = (c * h + y) * outW;
                for (int x = 0; x < outW; x++) {
                    rows[out + x] = horizontal.sample(image, in, 1, x);
                }
            }
        }
        float[] result = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            int plane = c * h * outW;
            for (int y = 0; y < outH; y++) {
                int out = (c * outH + y) * outW;
                for (int x = 0; x < outW; x++) {
                    result[out + x] = vertical.sample(rows, plane + x, outW, y);
                }
            }
        }
        return result;
    }

    private static float[] crop(float[] image, int channels, int h, int w, int ch, int cw) {
        if (ch > h || cw > w) {
            throw new IllegalArgumentException("center crop " + ch + "x" + cw + " is larger than the resized image "
                    + h + "x" + w + "; declare a larger resize");
        }
        int top = (int) Math.rint((h - ch) / 2.0);
        int left = (int) Math.rint((w - cw) / 2.0);
        float[] out = new float[channels * ch * cw];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < ch; y++) {
                System.arraycopy(image, (c * h + top + y) * w + left, out, (c * ch + y) * cw, cw);
            }
        }
        return out;
    }

    /**
     * The weights of one output axis: for each output index, the first input index and the
     * normalised triangle-filter weights (Pillow's {@code precompute_coeffs} for bilinear).
     */
    private record Kernel(int[] first, float[][] weights) {
        static Kernel of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the bilinear (triangle) filter has support 1
            int[] first = new int[out];
            float[][] weights = new float[out][];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max((int) (center - support + 0.5), 0);
                int hi = Math.min((int) (center + support + 0.5), in);
                double[] k = new double[Math.max(hi - lo, 1)];
                double total = 0;
                for (int j = 0; j < hi - lo; j++) {
                    double t = Math.abs((j + lo - center + 0.5) / filterScale);
                    k[j] = t < 1 ? 1 - t : 0;
                    total += k[j];
                }
                float[] wts = new float[hi - lo];
                for (int j = 0; j < wts.length; j++) {
                    wts[j] = (float) (total == 0 ? 0 : k[j] / total);
                }
                first[i] = lo;
                weights[i] = wts;
            }
            return new Kernel(first, weights);
        }

        /** The output value {@code i} from values at {@code base + (first + j) * stride}. */
        float sample(float[] values, int base, int stride, int i) {
            float[] wts = weights[i];
            int at = base + first[i] * stride;
            double sum = 0;
            for (float wt : wts) {
                sum += wt * values[at];
                at += stride;
            }
            return (float) sum;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageGeometry g && Arrays.equals(resize, g.resize) && Arrays.equals(centerCrop, g.centerCrop);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(resize) + Arrays.hashCode(centerCrop);
    }

    /** {@code resize=[s] crop=[h,w]}, {@code none}, ... for version strings and messages. */
    @Override
    public String toString() {
        if (!acceptsAnySize()) {
            return "none";
        }
        return (resize == null ? "" : "resize=" + Arrays.toString(resize).replace(" ", ""))
                + (resize != null && centerCrop != null ? " " : "")
                + (centerCrop == null ? "" : "crop=" + Arrays.toString(centerCrop).replace(" ", ""));
    }
}
