package io.ctta.streams.data;

/**
 * Image kernels shared by the corruptions: the Java counterparts of the SciPy, scikit-image,
 * OpenCV and PIL calls that the reference recipes make. Images are single-channel float arrays,
 * row-major, values nominally in [0, 1]. All methods return new arrays and never modify inputs.
 */
final class ImageOps {
    private ImageOps() {}

    static float[] clip01(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.min(1f, Math.max(0f, x[i]));
        }
        return out;
    }

    /** Index reflection without repeating the edge pixel (OpenCV BORDER_REFLECT_101). */
    static int reflect101(int i, int n) {
        if (n == 1) {
            return 0;
        }
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * n - 2 - i;
        }
        return i;
    }

    static int clamp(int i, int n) {
        return i < 0 ? 0 : (i >= n ? n - 1 : i);
    }

    /**
     * 2-D correlation with a square odd-sized kernel anchored at its centre and
     * BORDER_REFLECT_101, as {@code cv2.filter2D(x, -1, kernel)} computes it.
     */
    static float[] filter2d(float[] x, int rows, int cols, double[] kernel, int ksize) {
        int h = ksize / 2;
        float[] out = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int i = 0; i < ksize; i++) {
                    int rr = reflect101(r + i - h, rows);
                    for (int j = 0; j < ksize; j++) {
                        double w = kernel[i * ksize + j];
                        if (w != 0) {
                            s += w * x[rr * cols + reflect101(c + j - h, cols)];
                        }
                    }
                }
                out[r * cols + c] = (float) s;
            }
        }
        return out;
    }

    /** Normalised 1-D Gaussian weights of odd length {@code 2 * radius + 1}. */
    static double[] gaussian1d(double sigma, int radius) {
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            double v = Math.exp(-0.5 * i * i / (sigma * sigma));
            k[i + radius] = v;
            sum += v;
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /**
     * Gaussian blur as {@code skimage.filters.gaussian(x, sigma)} does it: SciPy's
     * {@code gaussian_filter} with {@code mode='nearest'} and {@code truncate=4.0}, separably.
     */
    static float[] gaussianBlur(float[] x, int rows, int cols, double sigma) {
        int radius = (int) (4.0 * sigma + 0.5);
        double[] k = gaussian1d(sigma, radius);
        float[] tmp = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int i = -radius; i <= radius; i++) {
                    s += k[i + radius] * x[r * cols + clamp(c + i, cols)];
                }
                tmp[r * cols + c] = (float) s;
            }
        }
        float[] out = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int i = -radius; i <= radius; i++) {
                    s += k[i + radius] * tmp[clamp(r + i, rows) * cols + c];
                }
                out[r * cols + c] = (float) s;
            }
        }
        return out;
    }

    /**
     * The anti-aliased disk of {@code make_cifar_c.py}: a 17x17 aliased disk
     * ({@code x^2 + y^2 <= radius^2}), normalised, then {@code cv2.GaussianBlur} with a 3x3 kernel
     * and {@code sigma = aliasBlur} (BORDER_REFLECT_101). Returns 17*17 weights.
     */
    static double[] disk(double radius, double aliasBlur) {
        if (radius > 8) {
            throw new IllegalArgumentException("disk radius above 8 is not needed here");
        }
        int n = 17;
        double[] d = new double[n * n];
        double sum = 0;
        for (int y = -8; y <= 8; y++) {
            for (int x = -8; x <= 8; x++) {
                if (x * x + y * y <= radius * radius) {
                    d[(y + 8) * n + (x + 8)] = 1;
                    sum++;
                }
            }
        }
        for (int i = 0; i < d.length; i++) {
            d[i] /= sum;
        }
        double[] g = gaussian1d(aliasBlur, 1);
        double[] kernel = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                kernel[i * 3 + j] = g[i] * g[j];
            }
        }
        float[] df = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            df[i] = (float) d[i];
        }
        float[] blurred = filter2d(df, n, n, kernel, 3);
        double[] out = new double[blurred.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = blurred[i];
        }
        return out;
    }

    /**
     * Motion blur as the {@code imagecorruptions} package re-implements ImageMagick's
     * {@code motion_blur(radius, sigma, angle)} used by {@code make_cifar_c.py}: a one-sided
     * Gaussian-weighted line of {@code 2 * radius + 1} taps along {@code angleDeg}, with edge
     * replication.
     */
    static float[] motionBlur(float[] x, int rows, int cols, int radius, double sigma,
            double angleDeg) {
        int width = 2 * radius + 1;
        double[] k = new double[width];
        double z = 0;
        for (int i = 0; i < width; i++) {
            k[i] = Math.exp(-(double) i * i / (2 * sigma * sigma));
            z += k[i];
        }
        double py = width * Math.sin(Math.toRadians(angleDeg));
        double px = width * Math.cos(Math.toRadians(angleDeg));
        double hyp = Math.hypot(py, px);
        float[] out = new float[x.length];
        for (int i = 0; i < width; i++) {
            int dy = (int) -Math.ceil(i * py / hyp - 0.5);
            int dx = (int) -Math.ceil(i * px / hyp - 0.5);
            if (Math.abs(dy) >= rows || Math.abs(dx) >= cols) {
                break;
            }
            double w = k[i] / z;
            for (int r = 0; r < rows; r++) {
                int rr = clamp(r - dy, rows);
                for (int c = 0; c < cols; c++) {
                    out[r * cols + c] += (float) (w * x[rr * cols + clamp(c - dx, cols)]);
                }
            }
        }
        return out;
    }

    /**
     * {@code clipped_zoom} of {@code make_cifar_c.py} for a square image: crop the centre
     * {@code ceil(h / z)} pixels, zoom them with {@code scipy.ndimage.zoom(order=1)} (corner-aligned
     * linear interpolation) and trim back to {@code h}.
     */
    static float[] clippedZoom(float[] x, int side, double zoom) {
        int ch = (int) Math.ceil(side / zoom);
        int top = (side - ch) / 2;
        int zoomed = (int) Math.round(ch * zoom);
        int trim = (zoomed - side) / 2;
        double ratio = zoomed > 1 ? (double) (ch - 1) / (zoomed - 1) : 0;
        float[] out = new float[side * side];
        for (int r = 0; r < side; r++) {
            double sr = (r + trim) * ratio;
            for (int c = 0; c < side; c++) {
                double sc = (c + trim) * ratio;
                out[r * side + c] = bilinearClamped(x, side, side, top + sr, top + sc, top, ch);
            }
        }
        return out;
    }

    private static float bilinearClamped(float[] x, int rows, int cols, double r, double c,
            int lo, int len) {
        int r0 = (int) Math.floor(r);
        int c0 = (int) Math.floor(c);
        double fr = r - r0;
        double fc = c - c0;
        int hi = lo + len - 1;
        int r1 = Math.min(r0 + 1, hi);
        int c1 = Math.min(c0 + 1, hi);
        r0 = Math.min(Math.max(r0, lo), hi);
        c0 = Math.min(Math.max(c0, lo), hi);
        double v = (1 - fr) * ((1 - fc) * x[r0 * cols + c0] + fc * x[r0 * cols + c1])
                + fr * ((1 - fc) * x[r1 * cols + c0] + fc * x[r1 * cols + c1]);
        return (float) v;
    }

    /**
     * Inverse-mapped affine warp with bilinear interpolation and zero fill, as
     * {@code skimage.transform.warp(x, inverse_map=aff)} does it ({@code order=1},
     * {@code mode='constant'}, {@code cval=0}). For output pixel (col, row) the input is sampled
     * at {@code col' = a0*col + a1*row + a2}, {@code row' = b0*col + b1*row + b2}.
     */
    static float[] warpAffine(float[] x, int rows, int cols, double a0, double a1, double a2,
            double b0, double b1, double b2) {
        float[] out = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double sc = a0 * c + a1 * r + a2;
                double sr = b0 * c + b1 * r + b2;
                out[r * cols + c] = bilinearZero(x, rows, cols, sr, sc);
            }
        }
        return out;
    }

    private static float bilinearZero(float[] x, int rows, int cols, double r, double c) {
        // Tolerate rounding noise so that exact pixel positions (e.g. 90 degree turns) are exact.
        double rr = Math.abs(r - Math.rint(r)) < 1e-9 ? Math.rint(r) : r;
        double cc = Math.abs(c - Math.rint(c)) < 1e-9 ? Math.rint(c) : c;
        int r0 = (int) Math.floor(rr);
        int c0 = (int) Math.floor(cc);
        double fr = rr - r0;
        double fc = cc - c0;
        double v = (1 - fr) * ((1 - fc) * at(x, rows, cols, r0, c0) + fc * at(x, rows, cols, r0,
                c0 + 1)) + fr * ((1 - fc) * at(x, rows, cols, r0 + 1, c0) + fc * at(x, rows, cols,
                r0 + 1, c0 + 1));
        return (float) v;
    }

    private static double at(float[] x, int rows, int cols, int r, int c) {
        return r < 0 || r >= rows || c < 0 || c >= cols ? 0 : x[r * cols + c];
    }

    /**
     * Resize with PIL's {@code Image.BOX} filter (separable; each output pixel averages the input
     * pixels whose centres fall in its footprint, at least one).
     */
    static float[] boxResize(float[] x, int rows, int cols, int outRows, int outCols) {
        float[] tmp = new float[rows * outCols];
        double[][] wc = boxWeights(cols, outCols);
        int[] cStart = boxStart(cols, outCols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < outCols; j++) {
                double s = 0;
                for (int t = 0; t < wc[j].length; t++) {
                    s += wc[j][t] * x[r * cols + cStart[j] + t];
                }
                tmp[r * outCols + j] = (float) s;
            }
        }
        float[] out = new float[outRows * outCols];
        double[][] wr = boxWeights(rows, outRows);
        int[] rStart = boxStart(rows, outRows);
        for (int i = 0; i < outRows; i++) {
            for (int j = 0; j < outCols; j++) {
                double s = 0;
                for (int t = 0; t < wr[i].length; t++) {
                    s += wr[i][t] * tmp[(rStart[i] + t) * outCols + j];
                }
                out[i * outCols + j] = (float) s;
            }
        }
        return out;
    }

    // PIL Resample.c precompute_coeffs with the box filter (support 0.5).
    private static int[] boxStart(int in, int out) {
        int[] start = new int[out];
        double scale = (double) in / out;
        double support = 0.5 * Math.max(scale, 1.0);
        for (int j = 0; j < out; j++) {
            double center = (j + 0.5) * scale;
            start[j] = Math.max(0, (int) (center - support + 0.5));
        }
        return start;
    }

    private static double[][] boxWeights(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = 0.5 * filterScale;
        double[][] w = new double[out][];
        for (int j = 0; j < out; j++) {
            double center = (j + 0.5) * scale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(in, (int) (center + support + 0.5));
            double[] k = new double[Math.max(0, xmax - xmin)];
            double sum = 0;
            for (int t = 0; t < k.length; t++) {
                double v = (t + xmin - center + 0.5) / filterScale;
                k[t] = (v >= -0.5 && v < 0.5) ? 1 : 0;
                sum += k[t];
            }
            for (int t = 0; t < k.length; t++) {
                k[t] = sum == 0 ? 0 : k[t] / sum;
            }
            w[j] = k;
        }
        return w;
    }
}
