package io.ctta.runtime.drift;

import java.util.SplittableRandom;

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

    /** k + 3·sqrt(k) rounded up: an upper 3σ bound for a Poisson/binomial count with mean k. */
    static double upper3Sigma(double mean) {
        return mean + 3 * Math.sqrt(mean);
    }
}
