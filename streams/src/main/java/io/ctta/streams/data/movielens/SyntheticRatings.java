package io.ctta.streams.data.movielens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic rating stream with drift at known points, shaped like the MovieLens stream
 * (same {@link Rating} records), for tests and quick benchmarks.
 *
 * <p>Model: every user {@code u} and movie {@code m} has a latent vector of {@code dim} standard
 * normal values and a bias; a user clicks (rates 4 stars or more) with probability
 * {@code σ(3·u·m/√dim + b_u + b_m)}. At every drift point a fresh random {@code driftFraction} of
 * the users reverse their taste (their latent vector is negated), so their click rate on every
 * movie moves and a model trained before the drift is wrong for them. One rating every 60 seconds
 * from 2000-01-01; user and movie chosen uniformly. Genres name the movie's strongest latent
 * dimension.
 */
public final class SyntheticRatings {

    private static final String[] GENRES = {"Action", "Comedy", "Drama", "Romance", "Horror", "Sci-Fi", "Documentary",
        "Animation"};
    private static final long START_SEC = 946_684_800L; // 2000-01-01T00:00:00Z

    private final List<Rating> ratings;
    private final int[] driftPoints;
    private final List<boolean[]> driftedUsers;

    private SyntheticRatings(List<Rating> ratings, int[] driftPoints, List<boolean[]> driftedUsers) {
        this.ratings = ratings;
        this.driftPoints = driftPoints;
        this.driftedUsers = driftedUsers;
    }

    /**
     * Generates a stream.
     *
     * @param users number of users (ids 1..users)
     * @param movies number of movies (ids 1..movies)
     * @param count number of ratings
     * @param driftPoints stream positions (0-based, increasing) where the drift happens
     * @param driftFraction the fraction of users that reverse their taste at each drift point
     * @param dim latent dimension
     * @param seed everything random is drawn from it
     */
    public static SyntheticRatings generate(int users, int movies, int count, int[] driftPoints, double driftFraction,
            int dim, long seed) {
        if (users < 1 || movies < 1 || count < 0 || dim < 1) {
            throw new IllegalArgumentException("users, movies and dim must be >= 1 and count >= 0");
        }
        if (!(driftFraction >= 0 && driftFraction <= 1)) {
            throw new IllegalArgumentException("driftFraction must be in [0, 1], got " + driftFraction);
        }
        for (int i = 0; i < driftPoints.length; i++) {
            if (driftPoints[i] < 0 || (i > 0 && driftPoints[i] <= driftPoints[i - 1])) {
                throw new IllegalArgumentException("driftPoints must be increasing and >= 0: "
                        + Arrays.toString(driftPoints));
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] u = latent(rnd, users, dim);
        double[][] m = latent(rnd, movies, dim);
        double[] bu = new double[users];
        double[] bm = new double[movies];
        for (int i = 0; i < users; i++) {
            bu[i] = 0.5 * rnd.nextGaussian();
        }
        String[] genre = new String[movies];
        for (int j = 0; j < movies; j++) {
            bm[j] = 0.5 * rnd.nextGaussian();
            int best = 0;
            for (int k = 1; k < dim; k++) {
                if (m[j][k] > m[j][best]) {
                    best = k;
                }
            }
            genre[j] = GENRES[best % GENRES.length];
        }
        List<Rating> out = new ArrayList<>(count);
        List<boolean[]> drifted = new ArrayList<>();
        int next = 0;
        double scale = 3 / Math.sqrt(dim);
        for (int t = 0; t < count; t++) {
            if (next < driftPoints.length && t == driftPoints[next]) {
                boolean[] flip = new boolean[users];
                for (int i = 0; i < users; i++) {
                    if (rnd.nextDouble() < driftFraction) {
                        flip[i] = true;
                        for (int k = 0; k < dim; k++) {
                            u[i][k] = -u[i][k];
                        }
                    }
                }
                drifted.add(flip);
                next++;
            }
            int ui = rnd.nextInt(users);
            int mj = rnd.nextInt(movies);
            double z = bu[ui] + bm[mj];
            for (int k = 0; k < dim; k++) {
                z += scale * u[ui][k] * m[mj][k];
            }
            double p = 1 / (1 + Math.exp(-z));
            boolean click = rnd.nextDouble() < p;
            float stars = click ? (rnd.nextBoolean() ? 4f : 4.5f + (rnd.nextBoolean() ? 0.5f : 0f))
                    : 0.5f * (1 + rnd.nextInt(7)); // 0.5 .. 3.5
            out.add(new Rating(ui + 1, mj + 1, stars, START_SEC + 60L * t, 2000, genre[mj], "movie " + (mj + 1)));
        }
        return new SyntheticRatings(Collections.unmodifiableList(out),
                Arrays.copyOf(driftPoints, next), Collections.unmodifiableList(drifted));
    }

    private static double[][] latent(SplittableRandom rnd, int n, int dim) {
        double[][] x = new double[n][dim];
        for (double[] row : x) {
            for (int k = 0; k < dim; k++) {
                row[k] = rnd.nextGaussian();
            }
        }
        return x;
    }

    /** The ratings in stream (timestamp) order. */
    public List<Rating> ratings() {
        return ratings;
    }

    /** The stream positions where a drift happened (those within the stream). */
    public int[] driftPoints() {
        return driftPoints.clone();
    }

    /** Whether user {@code userId} reversed its taste at drift {@code k}. */
    public boolean drifted(int k, int userId) {
        return driftedUsers.get(k)[userId - 1];
    }
}
