package io.ctta.streams.data;

import static io.ctta.streams.data.TestImages.mean;
import static io.ctta.streams.data.TestImages.std;
import static io.ctta.streams.data.TestImages.totalVariation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CorruptionTest {
    private static final int N = 28;
    private static final Set<Corruption> RANDOM = EnumSet.of(Corruption.GAUSSIAN_NOISE,
            Corruption.SHOT_NOISE, Corruption.IMPULSE_NOISE, Corruption.SPECKLE_NOISE,
            Corruption.GLASS_BLUR, Corruption.MOTION_BLUR);

    private static float[] apply(Corruption c, float[] x, int rows, int cols, int s, long seed) {
        return c.apply(x, rows, cols, s, new SplittableRandom(seed));
    }

    @Test
    void idsAreSnakeCaseAndResolve() {
        for (Corruption c : Corruption.values()) {
            assertTrue(c.id().matches("[a-z]+(_[a-z]+)*"), c.id());
            assertEquals(c, Corruption.fromId(c.id()));
            assertEquals(c, Corruption.fromId(c.id().replace('_', '-').toUpperCase()));
        }
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Corruption.fromId("fog")).getMessage();
        assertTrue(msg.contains("gaussian_noise"), msg);
        assertThrows(IllegalArgumentException.class,
                () -> Corruption.CONTRAST.apply(new float[4], 2, 2, 6, new SplittableRandom()));
        assertThrows(IllegalArgumentException.class,
                () -> Corruption.CONTRAST.apply(new float[4], 2, 3, 1, new SplittableRandom()));
    }

    @Test
    void recipeConstantsMatchCifar10C() {
        assertArrayEquals(new double[] {0.10}, Corruption.GAUSSIAN_NOISE.parameters(5));
        assertArrayEquals(new double[] {500}, Corruption.SHOT_NOISE.parameters(1));
        assertArrayEquals(new double[] {0.07}, Corruption.IMPULSE_NOISE.parameters(5));
        assertArrayEquals(new double[] {1.5, 0.1}, Corruption.DEFOCUS_BLUR.parameters(5));
        assertArrayEquals(new double[] {0.15}, Corruption.CONTRAST.parameters(5));
        assertArrayEquals(new double[] {0.3}, Corruption.BRIGHTNESS.parameters(5));
        assertArrayEquals(new double[] {0.65}, Corruption.PIXELATE.parameters(5));
        assertArrayEquals(new double[] {1.0}, Corruption.GAUSSIAN_BLUR.parameters(5));
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void outputIsInRangeAndInputUntouched(Corruption c) {
        LabeledImages img = TestImages.random(1, N, N, 3);
        float[] x = img.featuresOf(0);
        for (int i = 0; i < x.length; i++) {
            x[i] /= 255f;
        }
        float[] copy = x.clone();
        for (int s = 1; s <= 5; s++) {
            float[] y = apply(c, x, N, N, s, s);
            assertEquals(x.length, y.length);
            for (float v : y) {
                assertTrue(v >= 0 && v <= 1, c + " severity " + s + " produced " + v);
            }
        }
        assertArrayEquals(copy, x);
    }

    @Test
    void corruptorIsDeterministicPerSeed() {
        LabeledImages data = TestImages.random(40, N, N, 9);
        for (Corruption c : Corruption.values()) {
            LabeledImages a = Corruptor.corrupt(data, c, 3, 1234);
            LabeledImages b = Corruptor.corrupt(data, c, 3, 1234);
            assertEquals(a, b, c.id());
            assertArrayEquals(data.labels(), a.labels());
            if (RANDOM.contains(c)) {
                assertNotEquals(a, Corruptor.corrupt(data, c, 3, 1235), c.id());
            }
        }
    }

    @Test
    void gaussianNoiseResidualStdIsC() {
        float[] grey = TestImages.constant(100 * 100, 0.5f);
        for (int s = 1; s <= 5; s++) {
            double c = Corruption.GAUSSIAN_NOISE.parameters(s)[0];
            float[] y = apply(Corruption.GAUSSIAN_NOISE, grey, 100, 100, s, 7);
            assertEquals(c, std(y), 0.04 * c, "severity " + s);
            assertEquals(0.5, mean(y), 0.005);
        }
    }

    @Test
    void shotNoiseVarianceIsXOverC() {
        float[] grey = TestImages.constant(100 * 100, 0.5f);
        for (int s = 1; s <= 5; s++) {
            double c = Corruption.SHOT_NOISE.parameters(s)[0];
            float[] y = apply(Corruption.SHOT_NOISE, grey, 100, 100, s, 7);
            double sd = std(y);
            assertEquals(0.5 / c, sd * sd, 0.08 * 0.5 / c, "severity " + s);
            assertEquals(0.5, mean(y), 0.005);
        }
        // Black stays black: poisson(0) = 0.
        float[] black = apply(Corruption.SHOT_NOISE, new float[64], 8, 8, 5, 1);
        assertEquals(0, mean(black));
    }

    @Test
    void impulseNoiseChangesFractionC() {
        float[] grey = TestImages.constant(200 * 200, 0.5f);
        for (int s = 1; s <= 5; s++) {
            double c = Corruption.IMPULSE_NOISE.parameters(s)[0];
            float[] y = apply(Corruption.IMPULSE_NOISE, grey, 200, 200, s, 11);
            int salt = 0;
            int pepper = 0;
            for (float v : y) {
                salt += v == 1f ? 1 : 0;
                pepper += v == 0f ? 1 : 0;
                assertTrue(v == 0f || v == 1f || v == 0.5f);
            }
            double changed = (salt + pepper) / (double) y.length;
            assertEquals(c, changed, 0.1 * c + 0.001, "severity " + s);
            assertEquals(0.5, salt / (double) (salt + pepper), 0.1);
        }
    }

    @Test
    void speckleNoiseStdScalesWithIntensity() {
        float[] grey = TestImages.constant(100 * 100, 0.5f);
        double c = Corruption.SPECKLE_NOISE.parameters(5)[0];
        assertEquals(0.5 * c, std(apply(Corruption.SPECKLE_NOISE, grey, 100, 100, 5, 3)),
                0.05 * 0.5 * c);
    }

    @Test
    void contrastScalesDeviationFromMean() {
        float[] x = midRange(5);
        double m = mean(x);
        for (int s = 1; s <= 5; s++) {
            double c = Corruption.CONTRAST.parameters(s)[0];
            float[] y = apply(Corruption.CONTRAST, x, N, N, s, 0);
            assertEquals(m, mean(y), 1e-5);
            for (int i = 0; i < x.length; i++) {
                assertEquals(c * (x[i] - m), y[i] - m, 1e-5);
            }
        }
    }

    @Test
    void brightnessAddsCOnUnclippedPixels() {
        float[] x = new float[N * N];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(0, 0.6);
        }
        for (int s = 1; s <= 5; s++) {
            double c = Corruption.BRIGHTNESS.parameters(s)[0];
            float[] y = apply(Corruption.BRIGHTNESS, x, N, N, s, 0);
            assertEquals(mean(x) + c, mean(y), 1e-5);
        }
        float[] white = apply(Corruption.BRIGHTNESS, TestImages.constant(4, 0.9f), 2, 2, 5, 0);
        assertEquals(1.0, mean(white), 0, "clipped at 1");
    }

    @Test
    void blursPreserveMeanAndReduceTotalVariation() {
        float[] x = TestImages.paddedChecker(2);
        for (Corruption c : new Corruption[] {Corruption.GAUSSIAN_BLUR, Corruption.DEFOCUS_BLUR}) {
            double prev = totalVariation(x, N, N);
            for (int s = 1; s <= 5; s++) {
                float[] y = apply(c, x, N, N, s, 4);
                assertEquals(mean(x), mean(y), 1e-4, c + " severity " + s);
                double tv = totalVariation(y, N, N);
                assertTrue(tv < totalVariation(x, N, N), c + " severity " + s);
                assertTrue(tv <= prev + 1e-6, c + " is not monotone at severity " + s);
                prev = tv;
            }
        }
    }

    @Test
    void glassBlurShufflesPixelsLocallyAndBlurs() {
        float[] x = naturalish();
        // Severity 1 blurs with sigma 0.05 (a 1-tap kernel), so the output is a permutation of
        // the uint8-truncated input.
        float[] y = apply(Corruption.GLASS_BLUR, x, N, N, 1, 3);
        float[] q = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = (float) (Math.floor(x[i] * 255) / 255.0);
        }
        float[] ys = y.clone();
        Arrays.sort(ys);
        Arrays.sort(q);
        assertArrayEquals(q, ys, 1e-6f);
        assertFalse(Arrays.equals(x, y));
        // Shuffling moves pixels and blurring averages them: the mean is kept up to truncation.
        float[] y5 = apply(Corruption.GLASS_BLUR, TestImages.paddedChecker(2), N, N, 5, 3);
        assertEquals(mean(TestImages.paddedChecker(2)), mean(y5), 1.0 / 255);
    }

    @Test
    void gaussianBlurOfDeltaIsTheGaussianKernel() {
        float[] delta = new float[N * N];
        delta[14 * N + 14] = 1;
        float[] y = ImageOps.gaussianBlur(delta, N, N, 1.0);
        double[] k = ImageOps.gaussian1d(1.0, 4);
        assertEquals(k[4] * k[4], y[14 * N + 14], 1e-6);
        assertEquals(k[3] * k[4], y[14 * N + 15], 1e-6);
        assertEquals(1.0, mean(y) * y.length, 1e-5);
    }

    @Test
    void defocusKernelIsANormalisedSymmetricDisk() {
        double[] d = ImageOps.disk(1.5, 0.1);
        double sum = Arrays.stream(d).sum();
        assertEquals(1.0, sum, 1e-6);
        // radius 1.5 covers the centre, 4 edge and 4 corner neighbours equally (9 pixels);
        // alias blur 0.1 barely spreads them.
        assertEquals(1 / 9.0, d[8 * 17 + 8], 1e-3);
        assertEquals(d[7 * 17 + 8], d[9 * 17 + 8], 1e-12);
        assertEquals(1 / 9.0, d[7 * 17 + 7], 1e-3);
        assertEquals(0, d[6 * 17 + 8], 1e-6);
    }

    @Test
    void motionBlurSpreadsAPointAlongTheAngleWithGaussianWeights() {
        float[] delta = new float[N * N];
        delta[14 * N + 20] = 1;
        float[] y = ImageOps.motionBlur(delta, N, N, 6, 2.0, 0.0);
        double z = 0;
        for (int i = 0; i < 13; i++) {
            z += Math.exp(-i * i / 8.0);
        }
        for (int i = 0; i < 13; i++) {
            assertEquals(Math.exp(-i * i / 8.0) / z, y[14 * N + 20 - i], 1e-6, "tap " + i);
        }
        assertEquals(1.0, mean(y) * y.length, 1e-5);
        float[] x = TestImages.paddedChecker(2);
        for (int s = 1; s <= 5; s++) {
            assertTrue(totalVariation(apply(Corruption.MOTION_BLUR, x, N, N, s, s), N, N)
                    < totalVariation(x, N, N));
        }
    }

    @Test
    void zoomBlurKeepsTheCentreAndSmoothsEdges() {
        float[] x = TestImages.disc(6);
        assertArrayEquals(x, ImageOps.clippedZoom(x, N, 1.0), 1e-6f, "zoom 1 is identity");
        for (int s = 1; s <= 5; s++) {
            float[] y = apply(Corruption.ZOOM_BLUR, x, N, N, s, 0);
            assertEquals(1.0, y[14 * N + 14], 1e-5, "centre of a disc stays white");
            assertTrue(mean(y) > mean(x), "zooming enlarges the disc");
            assertTrue(greys(y) > greys(x), "the disc's edge is smeared at severity " + s);
        }
    }

    private static int greys(float[] x) {
        int n = 0;
        for (float v : x) {
            n += v > 0.05f && v < 0.95f ? 1 : 0;
        }
        return n;
    }

    @Test
    void pixelateMakesConstantBlocks() {
        float[] x = TestImages.random(1, N, N, 8).featuresOf(0);
        for (int i = 0; i < x.length; i++) {
            x[i] /= 255f;
        }
        for (int s = 1; s <= 5; s++) {
            int small = (int) (N * Corruption.PIXELATE.parameters(s)[0]);
            float[] y = apply(Corruption.PIXELATE, x, N, N, s, 0);
            int colChanges = 0;
            int rowChanges = 0;
            for (int k = 1; k < N; k++) {
                boolean colDiff = false;
                boolean rowDiff = false;
                for (int j = 0; j < N; j++) {
                    colDiff |= y[j * N + k] != y[j * N + k - 1];
                    rowDiff |= y[k * N + j] != y[(k - 1) * N + j];
                }
                colChanges += colDiff ? 1 : 0;
                rowChanges += rowDiff ? 1 : 0;
            }
            assertTrue(colChanges <= small - 1, "severity " + s + ": " + colChanges);
            assertTrue(rowChanges <= small - 1, "severity " + s + ": " + rowChanges);
            assertTrue(colChanges >= small - 3, "severity " + s + ": " + colChanges);
        }
    }

    @Test
    void jpegErrorGrowsAsQualityDrops() {
        float[] x = naturalish();
        double e1 = TestImages.meanAbsDiff(x, apply(Corruption.JPEG_COMPRESSION, x, N, N, 1, 0));
        double e5 = TestImages.meanAbsDiff(x, apply(Corruption.JPEG_COMPRESSION, x, N, N, 5, 0));
        assertTrue(e1 > 0 && e1 < e5 && e5 < 0.1, e1 + " " + e5);
        float[] grey = TestImages.constant(N * N, 128 / 255f);
        assertArrayEquals(grey, apply(Corruption.JPEG_COMPRESSION, grey, N, N, 5, 0), 1.5f / 255);
    }

    @Test
    void rotateByQuarterTurnIsAPermutationAndDiscIsInvariant() {
        float[] x = TestImages.random(1, N, N, 4).featuresOf(0);
        float[] y = Corruption.rotate(x, N, N, Math.PI / 2);
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                assertEquals(x[c * N + (N - 1 - r)], y[r * N + c], 1e-3, r + "," + c);
            }
        }
        float[] disc = TestImages.disc(7);
        for (int s = 1; s <= 5; s++) {
            float[] d = apply(Corruption.ROTATE, disc, N, N, s, s);
            assertTrue(TestImages.meanAbsDiff(disc, d) < 0.01, "severity " + s);
        }
        // The corruption is the recipe's rotation with a random sign.
        float[] img = naturalish();
        float[] got = apply(Corruption.ROTATE, img, N, N, 3, 5);
        assertTrue(Arrays.equals(got, ImageOps.clip01(Corruption.rotate(img, N, N, 0.6)))
                || Arrays.equals(got, ImageOps.clip01(Corruption.rotate(img, N, N, -0.6))));
    }

    @Test
    void shearShiftsRowsProportionallyToTheirDistanceFromTheCentre() {
        float[] line = new float[N * N];
        for (int r = 0; r < N; r++) {
            line[r * N + 14] = 1;
        }
        double s = 0.4;
        float[] y = Corruption.shear(line, N, N, s);
        for (int r = 6; r <= 21; r++) {
            double sum = 0;
            double centroid = 0;
            for (int c = 0; c < N; c++) {
                sum += y[r * N + c];
                centroid += c * y[r * N + c];
            }
            assertEquals(1.0, sum, 1e-5);
            assertEquals(14 + Math.sin(s) * (r - 13.5), centroid / sum, 1e-4, "row " + r);
        }
        float[] img = naturalish();
        float[] got = apply(Corruption.SHEAR, img, N, N, 2, 5);
        assertTrue(Arrays.equals(got, ImageOps.clip01(Corruption.shear(img, N, N, 0.4)))
                || Arrays.equals(got, ImageOps.clip01(Corruption.shear(img, N, N, -0.4))));
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void effectGrowsWithSeverity(Corruption c) throws IOException {
        float[][] images = sampleImages();
        double prev = 0;
        for (int s = 1; s <= 5; s++) {
            double effect = 0;
            for (int i = 0; i < images.length; i++) {
                effect += TestImages.meanAbsDiff(images[i],
                        apply(c, images[i], N, N, s, 1000L * s + i));
            }
            effect /= images.length;
            assertTrue(effect > 0, c + " has no effect at severity " + s);
            if (c == Corruption.GLASS_BLUR) {
                // The recipe itself is not monotone here: severity 3 blurs more (sigma 0.4) than
                // severity 2 (0.25), which hides part of the shuffle. Only ends are compared.
                prev = s == 1 ? effect : Math.max(prev, 0);
                continue;
            }
            // Random angles and quantisation allow a little slack between close severities.
            assertTrue(effect >= prev * 0.97, c + " severity " + s + " effect " + effect
                    + " < severity " + (s - 1) + " effect " + prev);
            prev = effect;
        }
        if (c == Corruption.GLASS_BLUR) {
            double first = 0;
            double last = 0;
            for (int i = 0; i < images.length; i++) {
                first += TestImages.meanAbsDiff(images[i], apply(c, images[i], N, N, 1, i));
                last += TestImages.meanAbsDiff(images[i], apply(c, images[i], N, N, 5, i));
            }
            assertTrue(last > first, "glass_blur severity 5 must exceed severity 1");
        }
    }

    private static float[][] sampleImages() throws IOException {
        if (Files.isDirectory(FashionMnist.defaultDirectory())) {
            LabeledImages test = FashionMnist.load(FashionMnist.Split.TEST).slice(0, 40);
            float[][] out = new float[40][];
            for (int i = 0; i < 40; i++) {
                out[i] = test.featuresOf(i);
                for (int k = 0; k < out[i].length; k++) {
                    out[i][k] /= 255f;
                }
            }
            return out;
        }
        return new float[][] {naturalish(), TestImages.paddedChecker(3), TestImages.disc(8)};
    }

    /** A smooth blob with texture, roughly like a Fashion-MNIST garment. */
    private static float[] naturalish() {
        float[] x = new float[N * N];
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                double d = Math.hypot((r - 13.5) / 11, (c - 13.5) / 8);
                double v = d < 1 ? 0.6 + 0.3 * Math.sin(r * 0.9) * Math.cos(c * 0.7) : 0;
                x[r * N + c] = (float) v;
            }
        }
        return x;
    }

    private static float[] midRange(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[N * N];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(0.3, 0.7);
        }
        return x;
    }

    @Test
    void byteConversionRoundsAndClips() {
        assertEquals(0, Corruptor.toByte(-0.2f));
        assertEquals((byte) 255, Corruptor.toByte(1.3f));
        assertEquals(128, Corruptor.toByte(127.6f / 255) & 0xFF);
        assertFalse(Corruptor.rngFor(1, Corruption.CONTRAST, 1, 0).nextLong()
                == Corruptor.rngFor(1, Corruption.CONTRAST, 1, 1).nextLong());
    }
}
