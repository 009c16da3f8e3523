package io.ctta.adapters.ecotta;

import java.util.SplittableRandom;

/**
 * The community recipe's mild warm-up augmentation (from the re-implementation {@code Lily-Le/EcoTTA},
 * not the paper), on raw heap images:
 * with probability 0.4 a colour jitter (brightness 0.4, contrast 0.4, saturation 0.4, hue 0.1, in
 * random order), with probability 0.2 a 3x3 Gaussian blur with σ drawn from [0.1, 2], and with
 * probability 0.1 grayscale.
 *
 * <p>Raw values have no fixed range, so "black" is the smallest and "white" the largest value of
 * the source data ({@code lo}, {@code hi}); brightness scales towards {@code lo} and every result
 * is clamped to {@code [lo, hi]}, as torchvision clamps to [0, 1]. Saturation, hue and grayscale
 * change nothing in a one-channel image and are skipped for them (their random draws are still
 * made, so a seed gives the same stream of choices for any channel count); for three channels
 * saturation blends with the luminance image, hue rotates each pixel's hue in HSV space (values
 * mapped to [0, 1] through {@code [lo, hi]}, as torchvision's adjust_hue) and grayscale replaces every
 * channel with the luminance.
 */
final class WarmUpAugmentation {

    private static final double JITTER_P = 0.4;
    private static final double BLUR_P = 0.2;
    private static final double GRAY_P = 0.1;
    private static final double BRIGHTNESS = 0.4;
    private static final double CONTRAST = 0.4;
    private static final double SATURATION = 0.4;
    private static final double HUE = 0.1;
    private static final double SIGMA_MIN = 0.1;
    private static final double SIGMA_MAX = 2.0;

    private final float lo;
    private final float hi;

    /** @param lo the source data's smallest value ("black"); @param hi its largest ("white") */
    WarmUpAugmentation(float lo, float hi) {
        this.lo = lo;
        this.hi = hi;
    }

    /** The augmentation for {@code features}: its value range defines black and white. */
    static WarmUpAugmentation of(float[] features) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float f : features) {
            if (Float.isFinite(f)) {
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
        }
        if (!(lo < hi)) {
            lo = 0;
            hi = 1;
        }
        return new WarmUpAugmentation(lo, hi);
    }

    /**
     * Augments {@code n} images of {@code channels x h x w} in {@code x}, in place.
     */
    void apply(float[] x, int n, int channels, int h, int w, SplittableRandom rnd) {
        int per = channels * h * w;
        for (int i = 0; i < n; i++) {
            int off = i * per;
            if (rnd.nextDouble() < JITTER_P) {
                jitter(x, off, channels, h * w, rnd);
            }
            if (rnd.nextDouble() < BLUR_P) {
                double sigma = SIGMA_MIN + rnd.nextDouble() * (SIGMA_MAX - SIGMA_MIN);
                for (int c = 0; c < channels; c++) {
                    blur(x, off + c * h * w, h, w, sigma);
                }
                for (int k = off; k < off + per; k++) {
                    x[k] = clamp(x[k]); // float rounding can overshoot the range by an ulp
                }
            }
            if (rnd.nextDouble() < GRAY_P && channels == 3) {
                float[] lum = luminance(x, off, h * w);
                for (int c = 0; c < 3; c++) {
                    System.arraycopy(lum, 0, x, off + c * h * w, h * w);
                }
            }
        }
    }

    private void jitter(float[] x, int off, int channels, int plane, SplittableRandom rnd) {
        double b = 1 + (rnd.nextDouble() * 2 - 1) * BRIGHTNESS;
        double c = 1 + (rnd.nextDouble() * 2 - 1) * CONTRAST;
        double s = 1 + (rnd.nextDouble() * 2 - 1) * SATURATION;
        double hue = (rnd.nextDouble() * 2 - 1) * HUE;
        int[] order = {0, 1, 2, 3};
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int len = channels * plane;
        for (int op : order) {
            if (op == 0) {
                for (int k = off; k < off + len; k++) {
                    x[k] = clamp(lo + (float) b * (x[k] - lo));
                }
            } else if (op == 1) {
                double mean = 0;
                float[] lum = channels == 3 ? luminance(x, off, plane) : null;
                for (int k = 0; k < plane; k++) {
                    mean += lum != null ? lum[k] : x[off + k];
                }
                float m = (float) (mean / plane);
                for (int k = off; k < off + len; k++) {
                    x[k] = clamp(m + (float) c * (x[k] - m));
                }
            } else if (op == 2 && channels == 3) {
                float[] lum = luminance(x, off, plane);
                for (int ch = 0; ch < 3; ch++) {
                    for (int k = 0; k < plane; k++) {
                        int at = off + ch * plane + k;
                        x[at] = clamp(lum[k] + (float) s * (x[at] - lum[k]));
                    }
                }
            } else if (op == 3 && channels == 3) {
                adjustHue(x, off, plane, hue);
            }
        }
    }

    /**
     * Rotates the hue of every pixel of one RGB image by {@code factor} turns (torchvision's
     * adjust_hue: RGB to HSV, h = (h + factor) mod 1, back to RGB), values read in {@code [lo, hi]}.
     */
    void adjustHue(float[] x, int off, int plane, double factor) {
        double range = hi - lo;
        for (int k = 0; k < plane; k++) {
            int ri = off + k;
            int gi = off + plane + k;
            int bi = off + 2 * plane + k;
            double r = (x[ri] - lo) / range;
            double g = (x[gi] - lo) / range;
            double b = (x[bi] - lo) / range;
            double max = Math.max(r, Math.max(g, b));
            double min = Math.min(r, Math.min(g, b));
            double delta = max - min;
            if (delta <= 0) {
                continue; // grey: no hue to rotate
            }
            double h;
            if (max == r) {
                h = ((g - b) / delta) / 6;
            } else if (max == g) {
                h = ((b - r) / delta + 2) / 6;
            } else {
                h = ((r - g) / delta + 4) / 6;
            }
            h = h + factor;
            h -= Math.floor(h);
            double sat = delta / max;
            double[] rgb = hsvToRgb(h, sat, max);
            x[ri] = clamp((float) (lo + rgb[0] * range));
            x[gi] = clamp((float) (lo + rgb[1] * range));
            x[bi] = clamp((float) (lo + rgb[2] * range));
        }
    }

    private static double[] hsvToRgb(double h, double s, double v) {
        double h6 = h * 6;
        int i = (int) Math.floor(h6) % 6;
        double f = h6 - Math.floor(h6);
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        return switch (i) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }

    /** ITU-R 601-2 luma, as torchvision's rgb_to_grayscale. */
    private static float[] luminance(float[] x, int off, int plane) {
        float[] l = new float[plane];
        for (int k = 0; k < plane; k++) {
            l[k] = 0.299f * x[off + k] + 0.587f * x[off + plane + k] + 0.114f * x[off + 2 * plane + k];
        }
        return l;
    }

    /** Separable 3x3 Gaussian blur with reflect padding (torchvision's padding mode). */
    static void blur(float[] x, int off, int h, int w, double sigma) {
        double e = Math.exp(-1.0 / (2 * sigma * sigma));
        float k0 = (float) (1 / (1 + 2 * e));
        float k1 = (float) (e / (1 + 2 * e));
        float[] tmp = new float[h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                float left = x[off + r * w + reflect(c - 1, w)];
                float right = x[off + r * w + reflect(c + 1, w)];
                tmp[r * w + c] = k1 * left + k0 * x[off + r * w + c] + k1 * right;
            }
        }
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                float up = tmp[reflect(r - 1, h) * w + c];
                float down = tmp[reflect(r + 1, h) * w + c];
                x[off + r * w + c] = k1 * up + k0 * tmp[r * w + c] + k1 * down;
            }
        }
    }

    private static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        if (i < 0) {
            return -i;
        }
        if (i >= n) {
            return 2 * n - 2 - i;
        }
        return i;
    }

    private float clamp(float v) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}
