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
        int[] out = size(image.height(), image.width(), maxSide);
        return out[0] == image.height() && out[1] == image.width() ? image : resize(image, out[0], out[1]);
    }

    /**
     * The size {@link #toMaxSide} gives an {@code h x w} image, without decoding it.
     *
     * @param maxSide longest side allowed, {@code >= 1}
     * @return {@code {outH, outW}}: {@code {h, w}} when the image fits
     */
    public static int[] size(int h, int w, int maxSide) {
        if (maxSide < 1) {
            throw new IllegalArgumentException("maxSide must be >= 1, got " + maxSide);
        }
        int longer = Math.max(h, w);
        if (longer <= maxSide) {
            return new int[] {h, w};
        }
        double scale = (double) maxSide / longer;
        int outH = h >= w ? maxSide : Math.max(1, (int) Math.round(h * scale));
        int outW = w >= h ? maxSide : Math.max(1, (int) Math.round(w * scale));
        return new int[] {outH, outW};
    }

    /**
     * The largest {@code maxSide} (at most the image's longer side) under which a {@code channels x h x w}
     * image shrinks to at most {@code bytes} one-byte samples, or 0 when not even a 1-pixel side does:
     * the {@code --max-side} to suggest when an image is too large for a record.
     */
    public static int largestSideWithin(int channels, int h, int w, long bytes) {
        int longer = Math.max(h, w);
        int shorter = Math.min(h, w);
        // C * m * (m * shorter / longer) <= bytes, up to rounding; then step down past the rounding.
        int m = (int) Math.min(longer, Math.floor(Math.sqrt((double) Math.max(0, bytes) * longer / ((double) channels * shorter))));
        while (m >= 1) {
            int[] out = size(h, w, m);
            if ((long) channels * out[0] * out[1] <= bytes) {
                return m;
            }
            m--;
        }
        return 0;
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
