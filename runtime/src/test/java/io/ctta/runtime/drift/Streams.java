package io.ctta.runtime.drift;

import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** Seeded synthetic inputs for the detector tests. */
final class Streams {

    private Streams() {
    }

    /** A 0/1 error: 1 with probability {@code p}. */
    static double bernoulli(SplittableRandom r, double p) {
        return r.nextDouble() < p ? 1 : 0;
    }

    /** A standard normal draw (Box–Muller; one of the pair is discarded, which is fine for tests). */
    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** A vector of {@code d} independent standard normals, {@code shift} added to the first component. */
    static double[] gaussianVector(SplittableRandom r, int d, double shift) {
        double[] v = new double[d];
        for (int k = 0; k < d; k++) {
            v[k] = gaussian(r) + (k == 0 ? shift : 0);
        }
        return v;
    }

    /** Calls {@code update} until it returns a drift: how many calls that took, or -1 if none came within {@code max}. */
    static int inputsUntilDrift(int max, Supplier<DriftLevel> update) {
        for (int k = 1; k <= max; k++) {
            if (update.get() == DriftLevel.DRIFT) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Feeds {@code d} a reference window of standard normal vectors in {@code dim} dimensions and
     * then a random 0 to 3 windows more, then vectors whose first component is shifted by 1: the
     * number of shifted vectors up to the drift (-1 if none within 10 windows), or empty when a
     * false alarm came before the shift (it replaced the reference, so a delay bound's premise does
     * not hold).
     */
    static OptionalInt delayAfterMeanShift(MultivariateDriftDetector d, SplittableRandom r, int dim, int referenceSize, int windowSize) {
        for (int i = 0; i < referenceSize; i++) {
            d.update(gaussianVector(r, dim, 0));
        }
        int before = r.nextInt(3 * windowSize);
        for (int i = 0; i < before; i++) {
            d.update(gaussianVector(r, dim, 0));
        }
        if (d.detections() > 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(inputsUntilDrift(10 * windowSize, () -> d.update(gaussianVector(r, dim, 1.0))));
    }

    /** k + 3·sqrt(k) rounded up: an upper 3σ bound for a Poisson/binomial count with mean k. */
    static double upper3Sigma(double mean) {
        return mean + 3 * Math.sqrt(mean);
    }
}
