package io.ctta.streams.data.movielens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensTest {
    @TempDir
    Path dir;

    @Test
    void theRealDatasetFromRCranDslabs() throws Exception {
        assumeTrue(MovieLens.isAvailable(MovieLens.defaultDirectory()),
                "install " + MovieLens.PACKAGE + " to run this test");
        long t0 = System.nanoTime();
        List<Rating> r = MovieLens.load();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(100_004, r.size());
        Set<Integer> users = new HashSet<>();
        Set<Integer> movies = new HashSet<>();
        long clicks = 0;
        for (int i = 0; i < r.size(); i++) {
            users.add(r.get(i).userId());
            movies.add(r.get(i).movieId());
            clicks += r.get(i).click();
            if (i > 0) {
                assertTrue(r.get(i).timestampSec() >= r.get(i - 1).timestampSec(), "timestamp order at " + i);
            }
        }
        assertEquals(671, users.size());
        assertEquals(9_066, movies.size());
        assertEquals(1995, Instant.ofEpochSecond(r.get(0).timestampSec()).atZone(ZoneOffset.UTC).getYear());
        assertEquals(2016, Instant.ofEpochSecond(r.get(r.size() - 1).timestampSec()).atZone(ZoneOffset.UTC).getYear());
        double clickRate = clicks / (double) r.size();
        assertTrue(clickRate > 0.4 && clickRate < 0.6, "ratings >= 4: " + clickRate);
        Rating dumbo = r.stream().filter(x -> x.userId() == 1 && x.title().equals("Dumbo")).findFirst().orElseThrow();
        assertEquals(3.0f, dumbo.rating());
        assertEquals(1941, dumbo.year());
        assertEquals("Animation|Children|Drama|Musical", dumbo.genres());
        assertEquals(1_260_759_179L, dumbo.timestampSec());
        assertTrue(ms < 30_000, "loaded in " + ms + " ms");
    }

    @Test
    void aMissingDirectorySaysHowToInstall() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MovieLens.load(dir));
        assertTrue(e.getMessage().contains("apt-get install -y r-cran-dslabs"), e.getMessage());
    }

    @Test
    void labelsAndFeatures() {
        Rating r = new Rating(7, 42, 4.0f, 1, 1999, "Action|Sci-Fi", "x");
        assertEquals(1, r.click());
        assertEquals(7, r.ratingClass());
        assertEquals(4.0, Rating.starsOfClass(7));
        assertEquals(0, new Rating(7, 42, 3.5f, 1, 1999, "", "").click());
        assertEquals(0, new Rating(7, 42, 0.5f, 1, 1999, "", "").ratingClass());
        assertEquals(9, new Rating(7, 42, 5f, 1, 1999, "", "").ratingClass());
        assertThrows(IllegalArgumentException.class, () -> new Rating(1, 1, 0f, 1, 1, "", ""));
        RatingFeatures f = new RatingFeatures(1000, 3);
        float[] x = f.encode(r);
        assertEquals(3, x.length);
        assertArrayEquals(x, new RatingFeatures(1000, 3).encode(r), 0f);
        for (float v : x) {
            assertTrue(v >= 0 && v < 1000 && v == Math.rint(v));
        }
        assertNotEquals(x[0], f.encode(new Rating(8, 42, 4f, 1, 1999, "Action|Sci-Fi", "x"))[0]);
        assertEquals(x[1], f.encode(new Rating(8, 42, 4f, 1, 1999, "Action|Sci-Fi", "x"))[1]);
        // Collisions of 600 user ids in 4096 buckets: about 600*599/2/4096 = 44 pairs; few users share.
        RatingFeatures big = new RatingFeatures(4096, 1);
        Set<Float> seen = new HashSet<>();
        for (int u = 1; u <= 600; u++) {
            seen.add(big.encode(new Rating(u, 1, 3f, 1, 1, "", ""))[0]);
        }
        assertTrue(seen.size() > 540, "distinct buckets " + seen.size());
    }

    @Test
    void theSyntheticStreamIsSeededAndDriftsWhereItSays() {
        SyntheticRatings a = SyntheticRatings.generate(50, 40, 6000, new int[] {3000}, 0.5, 4, 9);
        SyntheticRatings b = SyntheticRatings.generate(50, 40, 6000, new int[] {3000}, 0.5, 4, 9);
        assertEquals(a.ratings(), b.ratings());
        assertArrayEquals(new int[] {3000}, a.driftPoints());
        assertNotEquals(a.ratings(), SyntheticRatings.generate(50, 40, 6000, new int[] {3000}, 0.5, 4, 10).ratings());
        // Drifted users agree with their own past far less after the drift than stable users do.
        double[][] before = new double[51][41];
        double[][] nb = new double[51][41];
        double agreeDrifted = 0;
        double nDrifted = 0;
        double agreeStable = 0;
        double nStable = 0;
        List<Rating> r = a.ratings();
        for (int t = 0; t < 3000; t++) {
            before[r.get(t).userId()][r.get(t).movieId()] += r.get(t).click();
            nb[r.get(t).userId()][r.get(t).movieId()]++;
        }
        for (int t = 3000; t < 6000; t++) {
            Rating x = r.get(t);
            if (nb[x.userId()][x.movieId()] == 0) {
                continue;
            }
            double past = before[x.userId()][x.movieId()] / nb[x.userId()][x.movieId()];
            double agree = x.click() == 1 ? past : 1 - past;
            if (a.drifted(0, x.userId())) {
                agreeDrifted += agree;
                nDrifted++;
            } else {
                agreeStable += agree;
                nStable++;
            }
        }
        assertTrue(nDrifted > 100 && nStable > 100);
        assertTrue(agreeStable / nStable > agreeDrifted / nDrifted + 0.15,
                "stable " + agreeStable / nStable + " drifted " + agreeDrifted / nDrifted);
        for (int t = 1; t < r.size(); t++) {
            assertTrue(r.get(t).timestampSec() > r.get(t - 1).timestampSec());
        }
    }
}
