package io.ctta.adapters.rmt;

import io.ctta.runtime.data.InputBatch;
import java.util.random.RandomGenerator;

/**
 * The CoTTA-style test-time augmentation that RMT applies to the test batch (docs/strategies/rmt.md,
 * reference {@code augmentations/transforms_cotta.py}, non-"soft" parameters), on the heap, for
 * images of shape (C, H, W) with C = 1 (grey) or 3 (RGB) whose intensities {@code x·scale} lie in
 * [0, 1] (for the built-in CNN {@code scale = 1/255}).
 *
 * <p>As in the reference, the whole batch is transformed with <em>one</em> draw of the colour and
 * geometric parameters; only the additive noise is per pixel. In order:
 * <ol>
 *   <li>clip to [0, 1];</li>
 *   <li>colour jitter, in a random order of the five operations: brightness ×[0.6, 1.4], contrast
 *       [0.7, 1.3] around each image's mean grey level, saturation [0.5, 1.5], hue [−0.06, 0.06],
 *       gamma [0.7, 1.3] (after clamping to [1e-8, 1]); each clamps to [0, 1]. Saturation and hue are
 *       identities on grey images (as in torchvision), but their factors are still drawn;</li>
 *   <li>edge padding by half the image size, random affine (rotation ±15°, translation up to 1/16
 *       of the padded size, rounded to whole pixels, scale [0.9, 1.1]) with bilinear sampling and
 *       zero fill, Gaussian blur (kernel 5, σ ∈ [0.001, 0.5], reflect padding), centre crop back to
 *       H x W;</li>
 *   <li>horizontal flip with probability 0.5;</li>
 *   <li>additive Gaussian noise, std 0.005 per pixel; clip to [0, 1].</li>
 * </ol>
 * The padded image is never materialised: edge padding is a clamped read of the original, and the
 * affine map and blur are only evaluated on the centre crop plus the blur's border, which gives
 * the same pixels.
 *
 * <p>Stateless; the caller passes the random generator (RMT derives one per step from its seed,
 * so runs and restored checkpoints are reproducible).
 */
public final class CottaAugmentation {

    private static final float NOISE_STD = 0.005f;
    private static final int BLUR_KERNEL = 5;

    private CottaAugmentation() {}

    /**
     * Augments every image of {@code batch}; returns a new batch in the same raw value space.
     *
     * @param scale the model's preprocessing scale: {@code raw·scale} is the intensity in [0, 1]
     * @param rnd the source of every random draw
     * @throws IllegalArgumentException when the samples are not (C, H, W) with C = 1 or 3
     */
    public static InputBatch apply(InputBatch batch, float scale, RandomGenerator rnd) {
        int[] shape = batch.sampleShape();
        if (shape.length != 3 || (shape[0] != 1 && shape[0] != 3)) {
            throw new IllegalArgumentException("test-time augmentation needs images of shape (C, H, W) with C = 1 or 3,"
                    + " got " + java.util.Arrays.toString(shape));
        }
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        int n = batch.size();
        int plane = h * w;
        float[] x = batch.features().clone(); // the record hands out its own array
        for (int i = 0; i < x.length; i++) {
            x[i] = clamp01(x[i] * scale);
        }
        colourJitter(x, n, c, plane, rnd);

        // Geometry: one draw for the batch, as torchvision's RandomAffine/GaussianBlur on a batch tensor.
        int padH = h / 2;
        int padW = w / 2;
        int ph = h + 2 * padH;
        int pw = w + 2 * padW;
        double angle = uniform(rnd, -15, 15);
        int tx = (int) Math.round(uniform(rnd, -pw / 16.0, pw / 16.0));
        int ty = (int) Math.round(uniform(rnd, -ph / 16.0, ph / 16.0));
        double s = uniform(rnd, 0.9, 1.1);
        double sigma = uniform(rnd, 0.001, 0.5);
        boolean flip = rnd.nextDouble() < 0.5;
        float[] kernel = gaussianKernel(sigma);
        int r = BLUR_KERNEL / 2;
        int top = (ph - h + 1) / 2; // torchvision centre crop: round((ph - h) / 2)
        int left = (pw - w + 1) / 2;
        float[] out = new float[x.length];
        float[] region = new float[(h + 2 * r) * (w + 2 * r)];
        float[] hblur = new float[(h + 2 * r) * w];
        double cos = Math.cos(Math.toRadians(angle));
        double sin = Math.sin(Math.toRadians(angle));
        double cy = (ph - 1) / 2.0;
        double cx = (pw - 1) / 2.0;
        int rw = w + 2 * r;
        for (int img = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (img * c + ch) * plane;
                // Affine output on the crop window plus the blur border, in padded coordinates.
                for (int yy = 0; yy < h + 2 * r; yy++) {
                    int py = reflect(top - r + yy, ph);
                    for (int xx = 0; xx < rw; xx++) {
                        int px = reflect(left - r + xx, pw);
                        // Inverse map: undo translation, rotation and scale about the centre.
                        double u = px - cx - tx;
                        double v = py - cy - ty;
                        double sx = (cos * u + sin * v) / s + cx;
                        double sy = (-sin * u + cos * v) / s + cy;
                        region[yy * rw + xx] = bilinear(x, base, h, w, padH, padW, ph, pw, sx, sy);
                    }
                }
                // Separable blur: horizontal on the crop's columns (all rows: the vertical pass needs
                // the border rows), then vertical on the crop.
                for (int yy = 0; yy < h + 2 * r; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        float acc = 0;
                        for (int k = -r; k <= r; k++) {
                            acc += kernel[k + r] * region[yy * rw + xx + r + k];
                        }
                        hblur[yy * w + xx] = acc;
                    }
                }
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        float acc = 0;
                        for (int k = -r; k <= r; k++) {
                            acc += kernel[k + r] * hblur[(yy + r + k) * w + xx];
                        }
                        int ox = flip ? w - 1 - xx : xx;
                        out[base + yy * w + ox] = acc;
                    }
                }
            }
        }
        float inv = 1f / scale;
        for (int i = 0; i < out.length; i++) {
            out[i] = clamp01(out[i] + NOISE_STD * (float) rnd.nextGaussian()) * inv;
        }
        return new InputBatch(n, shape, out);
    }

    /** Brightness, contrast, saturation, hue, gamma in a random order, each clamped to [0, 1]. */
    private static void colourJitter(float[] x, int n, int c, int plane, RandomGenerator rnd) {
        int[] order = {0, 1, 2, 3, 4};
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int op : order) {
            switch (op) {
                case 0: {
                    float b = (float) uniform(rnd, 0.6, 1.4);
                    for (int i = 0; i < x.length; i++) {
                        x[i] = clamp01(x[i] * b);
                    }
                    break;
                }
                case 1: {
                    float f = (float) uniform(rnd, 0.7, 1.3);
                    for (int img = 0; img < n; img++) {
                        float mean = meanGrey(x, img, c, plane);
                        int from = img * c * plane;
                        for (int i = from; i < from + c * plane; i++) {
                            x[i] = clamp01(f * x[i] + (1 - f) * mean);
                        }
                    }
                    break;
                }
                case 2: {
                    float f = (float) uniform(rnd, 0.5, 1.5);
                    if (c == 3) {
                        saturation(x, n, plane, f);
                    }
                    break;
                }
                case 3: {
                    float f = (float) uniform(rnd, -0.06, 0.06);
                    if (c == 3) {
                        hue(x, n, plane, f);
                    }
                    break;
                }
                default: {
                    float g = (float) uniform(rnd, 0.7, 1.3);
                    for (int i = 0; i < x.length; i++) {
                        float v = Math.min(Math.max(x[i], 1e-8f), 1f);
                        x[i] = clamp01((float) Math.pow(v, g));
                    }
                    break;
                }
            }
        }
    }

    private static float meanGrey(float[] x, int img, int c, int plane) {
        double sum = 0;
        int base = img * c * plane;
        for (int p = 0; p < plane; p++) {
            sum += c == 3 ? grey(x[base + p], x[base + plane + p], x[base + 2 * plane + p]) : x[base + p];
        }
        return (float) (sum / plane);
    }

    /** ITU-R 601-2 luma, as torchvision's {@code rgb_to_grayscale}. */
    private static float grey(float r, float g, float b) {
        return 0.2989f * r + 0.587f * g + 0.114f * b;
    }

    private static void saturation(float[] x, int n, int plane, float f) {
        for (int img = 0; img < n; img++) {
            int base = img * 3 * plane;
            for (int p = 0; p < plane; p++) {
                float gr = grey(x[base + p], x[base + plane + p], x[base + 2 * plane + p]);
                for (int ch = 0; ch < 3; ch++) {
                    int i = base + ch * plane + p;
                    x[i] = clamp01(f * x[i] + (1 - f) * gr);
                }
            }
        }
    }

    /** Shifts the hue by {@code f} turns (RGB → HSV → RGB), as torchvision's {@code adjust_hue}. */
    private static void hue(float[] x, int n, int plane, float f) {
        for (int img = 0; img < n; img++) {
            int base = img * 3 * plane;
            for (int p = 0; p < plane; p++) {
                float r = x[base + p];
                float g = x[base + plane + p];
                float b = x[base + 2 * plane + p];
                float max = Math.max(r, Math.max(g, b));
                float min = Math.min(r, Math.min(g, b));
                float delta = max - min;
                float hh = 0;
                if (delta > 0) {
                    if (max == r) {
                        hh = ((g - b) / delta) / 6f;
                    } else if (max == g) {
                        hh = ((b - r) / delta + 2f) / 6f;
                    } else {
                        hh = ((r - g) / delta + 4f) / 6f;
                    }
                }
                float sat = max > 0 ? delta / max : 0;
                hh = (float) ((hh + f) - Math.floor(hh + f));
                float[] rgb = hsvToRgb(hh, sat, max);
                x[base + p] = rgb[0];
                x[base + plane + p] = rgb[1];
                x[base + 2 * plane + p] = rgb[2];
            }
        }
    }

    private static float[] hsvToRgb(float h, float s, float v) {
        float h6 = h * 6f;
        int sector = ((int) Math.floor(h6)) % 6;
        float frac = h6 - (float) Math.floor(h6);
        float p = v * (1 - s);
        float q = v * (1 - s * frac);
        float t = v * (1 - s * (1 - frac));
        switch (sector) {
            case 0:
                return new float[] {v, t, p};
            case 1:
                return new float[] {q, v, p};
            case 2:
                return new float[] {p, v, t};
            case 3:
                return new float[] {p, q, v};
            case 4:
                return new float[] {t, p, v};
            default:
                return new float[] {v, p, q};
        }
    }

    /**
     * Bilinear read at padded coordinates (sx, sy) with zero fill outside the padded image; the
     * padded image is the original with its edge pixels repeated {@code padH}/{@code padW} times.
     */
    private static float bilinear(float[] x, int base, int h, int w, int padH, int padW, int ph, int pw,
            double sx, double sy) {
        int x0 = (int) Math.floor(sx);
        int y0 = (int) Math.floor(sy);
        float fx = (float) (sx - x0);
        float fy = (float) (sy - y0);
        return (1 - fy) * ((1 - fx) * padded(x, base, h, w, padH, padW, ph, pw, x0, y0)
                        + fx * padded(x, base, h, w, padH, padW, ph, pw, x0 + 1, y0))
                + fy * ((1 - fx) * padded(x, base, h, w, padH, padW, ph, pw, x0, y0 + 1)
                        + fx * padded(x, base, h, w, padH, padW, ph, pw, x0 + 1, y0 + 1));
    }

    private static float padded(float[] x, int base, int h, int w, int padH, int padW, int ph, int pw, int px, int py) {
        if (px < 0 || py < 0 || px >= pw || py >= ph) {
            return 0f;
        }
        int oy = Math.min(Math.max(py - padH, 0), h - 1);
        int ox = Math.min(Math.max(px - padW, 0), w - 1);
        return x[base + oy * w + ox];
    }

    /** Reflect padding index (torchvision's blur pads with "reflect"), for indices within one size. */
    private static int reflect(int i, int size) {
        if (i < 0) {
            return -i;
        }
        if (i >= size) {
            return 2 * size - 2 - i;
        }
        return i;
    }

    private static float[] gaussianKernel(double sigma) {
        float[] k = new float[BLUR_KERNEL];
        int r = BLUR_KERNEL / 2;
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            double v = Math.exp(-0.5 * (i / sigma) * (i / sigma));
            k[i + r] = (float) v;
            sum += v;
        }
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) (k[i] / sum);
        }
        return k;
    }

    private static double uniform(RandomGenerator rnd, double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }

    private static float clamp01(float v) {
        // NaN stays NaN on purpose: a corrupt input must surface as a diverged step, not be hidden.
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }
}
