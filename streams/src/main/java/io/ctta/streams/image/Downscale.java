package io.ctta.streams.image;

/**
 * Shrinks an image so that its longer side is at most a given number of pixels, keeping the aspect
 * ratio, by area averaging: every output pixel is the mean of the input area it covers, with
 * fractional weights at the edges (OpenCV's {@code INTER_AREA} for shrinking). Area averaging does not
 * alias, so a camera-trap photograph shrunk for transport keeps what a model sees after its own resize.
 * Images already small enough are returned as they are; this never enlarges.
 */
public final class Downscale {

    private Downscale() {
    }

    /**
     * @param maxSide longest side allowed, {@code >= 1}
     * @return {@code image} itself when it fits, else the shrunk image (longer side = {@code maxSide})
     */
    public static DecodedImage toMaxSide(DecodedImage image, int maxSide) {
        if (maxSide < 1) {
            throw new IllegalArgumentException("maxSide must be >= 1, got " + maxSide);
        }
        int h = image.height();
        int w = image.width();
        int longer = Math.max(h, w);
        if (longer <= maxSide) {
            return image;
        }
        double scale = (double) maxSide / longer;
        int outH = h >= w ? maxSide : Math.max(1, (int) Math.round(h * scale));
        int outW = w >= h ? maxSide : Math.max(1, (int) Math.round(w * scale));
        return resize(image, outH, outW);
    }

    /** Area-averaged resize to exactly {@code outH x outW}, each no larger than the input's. */
    static DecodedImage resize(DecodedImage image, int outH, int outW) {
        int h = image.height();
        int w = image.width();
        if (outH > h || outW > w) {
            throw new IllegalArgumentException("area averaging only shrinks: " + h + "x" + w + " to " + outH + "x" + outW);
        }
        Weights cols = new Weights(w, outW);
        Weights rows = new Weights(h, outH);
        int c = image.channels();
        byte[] in = image.pixels();
        byte[] out = new byte[c * outH * outW];
        float[] tmp = new float[h * outW];
        float[] acc = new float[outW];
        for (int ch = 0; ch < c; ch++) {
            int inBase = ch * h * w;
            for (int y = 0; y < h; y++) {
                int row = inBase + y * w;
                int t = y * outW;
                for (int x = 0; x < outW; x++) {
                    int first = row + cols.first[x];
                    float[] wt = cols.weights[x];
                    float s = 0;
                    for (int k = 0; k < wt.length; k++) {
                        s += wt[k] * (in[first + k] & 0xFF);
                    }
                    tmp[t + x] = s;
                }
            }
            int outBase = ch * outH * outW;
            for (int y = 0; y < outH; y++) {
                // Row by row over the contributing input rows: contiguous reads of tmp.
                java.util.Arrays.fill(acc, 0f);
                int first = rows.first[y];
                float[] wt = rows.weights[y];
                for (int k = 0; k < wt.length; k++) {
                    float wk = wt[k];
                    int t = (first + k) * outW;
                    for (int x = 0; x < outW; x++) {
                        acc[x] += wk * tmp[t + x];
                    }
                }
                int o = outBase + y * outW;
                for (int x = 0; x < outW; x++) {
                    out[o + x] = (byte) Math.min(255, Math.max(0, Math.round(acc[x])));
                }
            }
        }
        return new DecodedImage(c, outH, outW, out);
    }

    /** For each output index: the first input index it covers and the normalised coverage weights. */
    private static final class Weights {
        final int[] first;
        final float[][] weights;

        Weights(int in, int out) {
            first = new int[out];
            weights = new float[out][];
            double step = (double) in / out;
            for (int j = 0; j < out; j++) {
                double lo = j * step;
                double hi = Math.min(in, (j + 1) * step);
                int a = (int) Math.floor(lo);
                int b = Math.min(in, (int) Math.ceil(hi));
                float[] wt = new float[b - a];
                for (int i = a; i < b; i++) {
                    wt[i - a] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / step);
                }
                first[j] = a;
                weights[j] = wt;
            }
        }
    }
}
