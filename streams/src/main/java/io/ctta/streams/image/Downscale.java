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
        for (int ch = 0; ch < c; ch++) {
            int inBase = ch * h * w;
            for (int y = 0; y < h; y++) {
                int row = inBase + y * w;
                for (int x = 0; x < outW; x++) {
                    double s = 0;
                    int first = cols.first[x];
                    double[] wt = cols.weights[x];
                    for (int k = 0; k < wt.length; k++) {
                        s += wt[k] * (in[row + first + k] & 0xFF);
                    }
                    tmp[y * outW + x] = (float) s;
                }
            }
            int outBase = ch * outH * outW;
            for (int y = 0; y < outH; y++) {
                int first = rows.first[y];
                double[] wt = rows.weights[y];
                for (int x = 0; x < outW; x++) {
                    double s = 0;
                    for (int k = 0; k < wt.length; k++) {
                        s += wt[k] * tmp[(first + k) * outW + x];
                    }
                    out[outBase + y * outW + x] = (byte) Math.min(255, Math.max(0, (int) Math.round(s)));
                }
            }
        }
        return new DecodedImage(c, outH, outW, out);
    }

    /** For each output index: the first input index it covers and the normalised coverage weights. */
    private static final class Weights {
        final int[] first;
        final double[][] weights;

        Weights(int in, int out) {
            first = new int[out];
            weights = new double[out][];
            double step = (double) in / out;
            for (int j = 0; j < out; j++) {
                double lo = j * step;
                double hi = Math.min(in, (j + 1) * step);
                int a = (int) Math.floor(lo);
                int b = Math.min(in, (int) Math.ceil(hi));
                double[] wt = new double[b - a];
                for (int i = a; i < b; i++) {
                    wt[i - a] = (Math.min(hi, i + 1) - Math.max(lo, i)) / step;
                }
                first[j] = a;
                weights[j] = wt;
            }
        }
    }
}
