package io.ctta.streams.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The Fashion-MNIST-C corruptions, each at severities 1..5.
 *
 * <p>Photometric corruptions follow the CIFAR-10-C recipes of Hendrycks and Dietterich (2019,
 * {@code make_cifar_c.py}) with their CIFAR (32x32) constants, which suit 28x28 images; the
 * geometric ones ({@link #ROTATE}, {@link #SHEAR}) follow MNIST-C (Mu and Gilmer 2019,
 * {@code corruptions.py}). {@code docs/corruptions.md} gives each recipe, its parameters per
 * severity, and how it was adapted to single-channel 28x28 images.
 *
 * <p>{@link #apply} takes an image with values in [0, 1] and returns a new image clipped to
 * [0, 1]; the input is not modified. Randomness comes only from the {@code rng} argument, so a
 * seeded generator gives a reproducible result. Conversion back to bytes (round, clip) is done by
 * {@link Corruptor}.
 */
public enum Corruption {
    /** Additive Gaussian noise, standard deviation {@code c}. */
    GAUSSIAN_NOISE("make_cifar_c.py gaussian_noise", 0.04, 0.06, 0.08, 0.09, 0.10) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (x[i] + c[0] * rng.nextGaussian());
            }
            return out;
        }
    },
    /** Poisson (photon) noise: {@code poisson(x * c) / c}. */
    SHOT_NOISE("make_cifar_c.py shot_noise", 500, 250, 100, 75, 50) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (Poisson.sample(x[i] * c[0], rng) / c[0]);
            }
            return out;
        }
    },
    /** Salt-and-pepper noise: a fraction {@code c} of pixels set to 0 or 1 (half each). */
    IMPULSE_NOISE("make_cifar_c.py impulse_noise (skimage random_noise s&p)",
            0.01, 0.02, 0.03, 0.05, 0.07) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            float[] out = x.clone();
            for (int i = 0; i < x.length; i++) {
                if (rng.nextDouble() < c[0]) {
                    out[i] = rng.nextBoolean() ? 1f : 0f;
                }
            }
            return out;
        }
    },
    /** Multiplicative Gaussian noise: {@code x + x * N(0, c)}. */
    SPECKLE_NOISE("make_cifar_c.py speckle_noise", 0.06, 0.1, 0.12, 0.16, 0.2) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (x[i] + x[i] * c[0] * rng.nextGaussian());
            }
            return out;
        }
    },
    /** Gaussian blur with standard deviation {@code c} pixels. */
    GAUSSIAN_BLUR("make_cifar_c.py gaussian_blur (skimage gaussian)", 0.4, 0.6, 0.7, 0.8, 1.0) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            return ImageOps.gaussianBlur(x, rows, cols, c[0]);
        }
    },
    /** Gaussian blur, local pixel shuffling, Gaussian blur: (sigma, max_delta, iterations). */
    GLASS_BLUR("make_cifar_c.py glass_blur", new double[][] {
        {0.05, 1, 1}, {0.25, 1, 1}, {0.4, 1, 1}, {0.25, 1, 2}, {0.4, 1, 2}}) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            float[] y = ImageOps.gaussianBlur(x, rows, cols, c[0]);
            // The recipe stores the first blur as uint8 (truncating) before shuffling.
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) (Math.floor(Math.min(1f, Math.max(0f, y[i])) * 255) / 255.0);
            }
            int d = (int) c[1];
            for (int it = 0; it < (int) c[2]; it++) {
                for (int h = rows - d; h > d; h--) {
                    for (int w = cols - d; w > d; w--) {
                        // numpy randint(-d, d) excludes d: offsets in [-d, d).
                        int dx = rng.nextInt(-d, d);
                        int dy = rng.nextInt(-d, d);
                        int a = h * cols + w;
                        int b = (h + dy) * cols + (w + dx);
                        float t = y[a];
                        y[a] = y[b];
                        y[b] = t;
                    }
                }
            }
            return ImageOps.gaussianBlur(y, rows, cols, c[0]);
        }
    },
    /** Convolution with an anti-aliased disk: (radius, alias_blur). */
    DEFOCUS_BLUR("make_cifar_c.py defocus_blur (disk + cv2.filter2D)", new double[][] {
        {0.3, 0.4}, {0.4, 0.5}, {0.5, 0.6}, {1, 0.2}, {1.5, 0.1}}) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            return ImageOps.filter2d(x, rows, cols, ImageOps.disk(c[0], c[1]), 17);
        }
    },
    /** Motion blur (radius, sigma) along a random angle in [-45, 45) degrees. */
    MOTION_BLUR("make_cifar_c.py motion_blur (ImageMagick; imagecorruptions kernel)",
            new double[][] {{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}}) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            double angle = rng.nextDouble(-45, 45);
            return ImageOps.motionBlur(x, rows, cols, (int) c[0], c[1], angle);
        }
    },
    /** Average of centre zooms by {@code arange(1, c, 0.01)} and the image itself. */
    ZOOM_BLUR("make_cifar_c.py zoom_blur (clipped_zoom)", 1.06, 1.11, 1.16, 1.21, 1.26) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            if (rows != cols) {
                throw new IllegalArgumentException("zoom_blur needs square images, got " + rows
                        + "x" + cols);
            }
            // np.arange(1, stop, 0.01): length ceil((stop - 1) / 0.01) in double arithmetic,
            // which gives 7, 12, 16, 21, 26 factors (the stop is sometimes included).
            int n = (int) Math.ceil((c[0] - 1.0) / 0.01);
            double[] sum = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                sum[i] = x[i];
            }
            for (int k = 0; k < n; k++) {
                float[] z = ImageOps.clippedZoom(x, rows, 1.0 + k * 0.01);
                for (int i = 0; i < x.length; i++) {
                    sum[i] += z[i];
                }
            }
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (sum[i] / (n + 1));
            }
            return out;
        }
    },
    /** Contrast reduction about the image mean: {@code (x - mean) * c + mean}. */
    CONTRAST("make_cifar_c.py contrast", 0.75, 0.5, 0.4, 0.3, 0.15) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            double mean = 0;
            for (float v : x) {
                mean += v;
            }
            mean /= x.length;
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) ((x[i] - mean) * c[0] + mean);
            }
            return out;
        }
    },
    /** Brightness: {@code x + c}; on gray pixels this equals the recipe's HSV value shift. */
    BRIGHTNESS("make_cifar_c.py brightness (HSV V + c)", 0.05, 0.1, 0.15, 0.2, 0.3) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (x[i] + c[0]);
            }
            return out;
        }
    },
    /** BOX downscale to {@code int(side * c)} and BOX upscale back (PIL). */
    PIXELATE("make_cifar_c.py pixelate (PIL BOX resize)", 0.95, 0.9, 0.85, 0.75, 0.65) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            int r = Math.max(1, (int) (rows * c[0]));
            int w = Math.max(1, (int) (cols * c[0]));
            float[] small = ImageOps.boxResize(x, rows, cols, r, w);
            // PIL keeps the intermediate image as uint8.
            for (int i = 0; i < small.length; i++) {
                small[i] = Math.round(Math.min(1f, Math.max(0f, small[i])) * 255f) / 255f;
            }
            return ImageOps.boxResize(small, r, w, rows, cols);
        }
    },
    /** JPEG round trip at quality {@code c} (ImageIO's libjpeg, IJG quality scaling). */
    JPEG_COMPRESSION("make_cifar_c.py jpeg_compression (PIL JPEG)", 80, 65, 58, 50, 40) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            return Jpeg.roundTrip(x, rows, cols, (int) c[0]);
        }
    },
    /** Rotation about the centre by {@code ±c} radians (random sign), bilinear, zero fill. */
    ROTATE("mnist_c corruptions.py rotate (skimage AffineTransform rotation)",
            0.2, 0.4, 0.6, 0.8, 1.0) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            return rotate(x, rows, cols, rng.nextBoolean() ? c[0] : -c[0]);
        }
    },
    /** Shear about the centre by {@code ±c} radians (random sign), bilinear, zero fill. */
    SHEAR("mnist_c corruptions.py shear (skimage AffineTransform shear)",
            0.2, 0.4, 0.6, 0.8, 1.0) {
        @Override
        float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng) {
            return shear(x, rows, cols, rng.nextBoolean() ? c[0] : -c[0]);
        }
    };

    /** Lowest severity. */
    public static final int MIN_SEVERITY = 1;
    /** Highest severity. */
    public static final int MAX_SEVERITY = 5;

    private final String recipe;
    private final double[][] params;

    Corruption(String recipe, double... perSeverity) {
        this(recipe, Arrays.stream(perSeverity).mapToObj(v -> new double[] {v})
                .toArray(double[][]::new));
    }

    Corruption(String recipe, double[][] perSeverity) {
        if (perSeverity.length != MAX_SEVERITY) {
            throw new AssertionError("five severities expected");
        }
        this.recipe = recipe;
        this.params = perSeverity;
    }

    /** The snake_case name used in stream names and configuration, e.g. {@code gaussian_noise}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Where the recipe comes from, e.g. {@code make_cifar_c.py contrast}. */
    public String recipe() {
        return recipe;
    }

    /** A copy of the recipe parameters at {@code severity} (one or more numbers). */
    public double[] parameters(int severity) {
        return params[checkSeverity(severity) - 1].clone();
    }

    /**
     * Corrupts one image.
     *
     * @param img01 {@code rows * cols} values in [0, 1], row-major; not modified
     * @param severity 1..5
     * @param rng source of all randomness of this call
     * @return a new array with values clipped to [0, 1]
     */
    public float[] apply(float[] img01, int rows, int cols, int severity, RandomGenerator rng) {
        if (rows <= 0 || cols <= 0 || img01.length != rows * cols) {
            throw new IllegalArgumentException("image has " + img01.length + " values but is"
                    + " declared " + rows + "x" + cols);
        }
        return ImageOps.clip01(corrupt(img01, rows, cols, params[checkSeverity(severity) - 1],
                rng));
    }

    abstract float[] corrupt(float[] x, int rows, int cols, double[] c, RandomGenerator rng);

    /**
     * Looks a corruption up by {@link #id()} (case-insensitive; {@code -} accepted for
     * {@code _}).
     *
     * @throws IllegalArgumentException naming the known ids when there is no match
     */
    public static Corruption fromId(String id) {
        String norm = id.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Corruption c : values()) {
            if (c.id().equals(norm)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown corruption '" + id + "'; known: "
                + Arrays.stream(values()).map(Corruption::id).toList());
    }

    static int checkSeverity(int severity) {
        if (severity < MIN_SEVERITY || severity > MAX_SEVERITY) {
            throw new IllegalArgumentException("severity must be 1..5, got " + severity);
        }
        return severity;
    }

    /**
     * MNIST-C rotation: skimage {@code AffineTransform(rotation=theta)} used as the inverse map,
     * translated so that the image centre stays fixed.
     */
    static float[] rotate(float[] x, int rows, int cols, double theta) {
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double cx = (cols - 1) / 2.0;
        double cy = (rows - 1) / 2.0;
        return ImageOps.warpAffine(x, rows, cols, cos, -sin, cx - cos * cx + sin * cy,
                sin, cos, cy - sin * cx - cos * cy);
    }

    /**
     * MNIST-C shear: skimage {@code AffineTransform(shear=s)}, i.e. the inverse map
     * {@code col' = col - sin(s) * row}, {@code row' = cos(s) * row}, translated so that the image
     * centre stays fixed.
     */
    static float[] shear(float[] x, int rows, int cols, double s) {
        double sin = Math.sin(s);
        double cos = Math.cos(s);
        double cx = (cols - 1) / 2.0;
        double cy = (rows - 1) / 2.0;
        return ImageOps.warpAffine(x, rows, cols, 1, -sin, sin * cy, 0, cos, cy - cos * cy);
    }
}
