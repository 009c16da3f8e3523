package io.ctta.streams.data;

import java.util.random.RandomGenerator;

/**
 * Poisson sampling for {@code shot_noise}, where NumPy's {@code random.poisson} is used. Small
 * means use Knuth's multiplication method; means of 10 and above use Hörmann's PTRS transformed
 * rejection (the algorithm NumPy uses in that range).
 */
final class Poisson {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private Poisson() {}

    static long sample(double lambda, RandomGenerator rng) {
        if (lambda <= 0) {
            return 0;
        }
        return lambda < 10 ? knuth(lambda, rng) : ptrs(lambda, rng);
    }

    private static long knuth(double lambda, RandomGenerator rng) {
        double limit = Math.exp(-lambda);
        double p = rng.nextDouble();
        long k = 0;
        while (p > limit) {
            k++;
            p *= rng.nextDouble();
        }
        return k;
    }

    private static long ptrs(double lam, RandomGenerator rng) {
        double slam = Math.sqrt(lam);
        double loglam = Math.log(lam);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invalpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = rng.nextDouble() - 0.5;
            double v = rng.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr) {
                return k;
            }
            if (k < 0 || (us < 0.013 && v > us)) {
                continue;
            }
            if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b)
                    <= -lam + k * loglam - logFactorial(k)) {
                return k;
            }
        }
    }

    /** log(k!) exactly for small k, by Stirling's series otherwise. */
    static double logFactorial(long k) {
        if (k < 20) {
            double f = 0;
            for (long i = 2; i <= k; i++) {
                f += Math.log(i);
            }
            return f;
        }
        double n = k + 1.0;
        return (n - 0.5) * Math.log(n) - n + LOG_SQRT_2PI + 1 / (12 * n) - 1 / (360 * n * n * n)
                + 1 / (1260 * n * n * n * n * n);
    }
}
