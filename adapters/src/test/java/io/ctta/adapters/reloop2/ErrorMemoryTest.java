package io.ctta.adapters.reloop2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.adapt.StrategyState;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Compensation known answers, the LSH sketch and the kNN ring buffer (docs/strategies/reloop2.md). */
class ErrorMemoryTest {

    private static Neighbours hand(float[] sim, float[] y, float[] yb, int v) {
        return new Neighbours(sim.length, sim, y, yb, v);
    }

    @Test
    void compensationKnownAnswer() {
        // s = [1, 0.5], tau = 0.1: a = softmax([10, 5]) = [0.9933071, 0.0066929]
        Neighbours nb = hand(new float[] {1f, 0.5f}, new float[] {1f, 0f}, new float[] {0.6f, 0.2f}, 1);
        double[] a = Compensation.attention(nb, 0.1);
        assertEquals(0.9933071, a[0], 1e-6);
        assertEquals(0.0066929, a[1], 1e-6);
        // ȳ = 0.9933071, ȳ_base = 0.6·a0 + 0.2·a1 = 0.5973228, y_base(query) = 0.3, λ = 0.5
        assertEquals(0.6466535, Compensation.apply(new float[] {0.3f}, nb, 0.1, 1.0, 0.5)[0], 1e-6); // γ = 1
        assertEquals(0.4979921, Compensation.apply(new float[] {0.3f}, nb, 0.1, 0.0, 0.5)[0], 1e-6); // γ = 0
        assertEquals(0.5723228, Compensation.apply(new float[] {0.3f}, nb, 0.1, 0.5, 0.5)[0], 1e-6);
        // γ = 1 is the blend (1-λ)·y_base + λ·ȳ
        for (double lambda : new double[] {0, 0.1, 0.4, 0.9, 1}) {
            assertEquals((1 - lambda) * 0.3 + lambda * 0.9933071,
                    Compensation.apply(new float[] {0.3f}, nb, 0.1, 1.0, lambda)[0], 1e-6);
        }
        // λ = 0 is the base model; no neighbours: the base model.
        assertArrayEquals(new float[] {0.3f}, Compensation.apply(new float[] {0.3f}, Neighbours.none(1), 0.1, 1, 1), 0f);
        // Clamped to [0, 1]: γ = 0 with a large neighbour residual pushes past 1.
        Neighbours big = hand(new float[] {1f}, new float[] {1f}, new float[] {0f}, 1);
        assertEquals(1f, Compensation.apply(new float[] {0.8f}, big, 0.1, 0.0, 1.0)[0], 0f);
        Neighbours neg = hand(new float[] {1f}, new float[] {0f}, new float[] {1f}, 1);
        assertEquals(0f, Compensation.apply(new float[] {0.2f}, neg, 0.1, 0.0, 1.0)[0], 0f);
    }

    @Test
    void multiClassCompensationIsClampedAndRenormalised() {
        // One neighbour, one-hot label on class 2, γ = 0: err = y - y_base_nb = [-0.5, -0.5, 1]
        Neighbours nb = hand(new float[] {1f}, new float[] {0, 0, 1}, new float[] {0.5f, 0.5f, 0f}, 3);
        float[] q = Compensation.apply(new float[] {0.2f, 0.7f, 0.1f}, nb, 0.1, 0.0, 1.0);
        // raw: [-0.3, 0.2, 1.1] -> clamp [0, 0.2, 1] -> /1.2
        assertArrayEquals(new float[] {0f, 0.2f / 1.2f, 1f / 1.2f}, q, 1e-6f);
        float[] r = Compensation.apply(new float[] {0.2f, 0.7f, 0.1f}, nb, 0.1, 1.0, 0.5);
        // γ = 1: (1-λ)p + λ·onehot = [0.1, 0.35, 0.55], already a distribution
        assertArrayEquals(new float[] {0.1f, 0.35f, 0.55f}, r, 1e-6f);
    }

    @Test
    void identicalAndScaledKeysShareEveryBucketAndSeedsFixThePlanes() {
        LshSketch a = new LshSketch(16, 1, 32, 12, LshSketch.Similarity.COUNT, 7);
        LshSketch b = new LshSketch(16, 1, 32, 12, LshSketch.Similarity.COUNT, 7);
        LshSketch c = new LshSketch(16, 1, 32, 12, LshSketch.Similarity.COUNT, 8);
        SplittableRandom r = new SplittableRandom(1);
        float[] key = gaussian(r, 16);
        float[] scaled = key.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 3.5f;
        }
        int[] ba = a.buckets(key);
        assertArrayEquals(ba, a.buckets(key.clone()));
        assertArrayEquals(ba, a.buckets(scaled), "SimHash depends on the direction only");
        assertArrayEquals(ba, b.buckets(key), "same seed, same planes");
        assertFalse(Arrays.equals(ba, c.buckets(key)), "another seed, other planes");
        for (int x : ba) {
            assertTrue(x >= 0 && x < 4096);
        }
        float[] opposite = key.clone();
        for (int i = 0; i < opposite.length; i++) {
            opposite[i] = -opposite[i];
        }
        int[] bo = a.buckets(opposite);
        for (int k = 0; k < ba.length; k++) {
            assertEquals(4095, ba[k] ^ bo[k], "every bit flips for -h (no plane is exactly orthogonal)");
        }
    }

    @Test
    void collisionRateFollowsTheSimHashLaw() {
        // P[same bucket] = (1 - θ/π)^L for keys at angle θ, over the random planes.
        int d = 24;
        int bits = 4;
        SplittableRandom r = new SplittableRandom(3);
        for (double theta : new double[] {Math.PI / 8, Math.PI / 4, Math.PI / 2}) {
            long same = 0;
            long total = 0;
            for (int seed = 0; seed < 40; seed++) {
                LshSketch s = new LshSketch(d, 1, 50, bits, LshSketch.Similarity.COUNT, 1000 + seed);
                float[][] pair = pairAtAngle(r, d, theta);
                int[] b0 = s.buckets(pair[0]);
                int[] b1 = s.buckets(pair[1]);
                for (int k = 0; k < b0.length; k++) {
                    same += b0[k] == b1[k] ? 1 : 0;
                    total++;
                }
            }
            double expected = Math.pow(1 - theta / Math.PI, bits);
            double rate = (double) same / total;
            assertEquals(expected, rate, 0.04, "theta " + theta);
        }
    }

    @Test
    void sketchReadoutsAreBucketAveragesWithCountSimilarity() {
        LshSketch s = new LshSketch(4, 1, 8, 6, LshSketch.Similarity.COUNT, 11);
        float[] k1 = {1, 0, 0, 0};
        float[] k2 = {0, 0, 0, 1};
        assertEquals(0, s.read(k1).count(), "empty buckets are skipped");
        s.write(k1, new float[] {1}, new float[] {0.2f});
        s.write(k1, new float[] {0}, new float[] {0.4f});
        s.write(k1, new float[] {1}, new float[] {0.6f});
        Neighbours nb = s.read(k1);
        assertEquals(8, nb.count());
        for (int i = 0; i < 8; i++) {
            // An array where k2 collides would differ; k2 is not written yet, so all agree.
            assertEquals(2f / 3f, nb.labels()[i], 1e-6f);
            assertEquals(0.4f, nb.basePredictions()[i], 1e-6f);
            assertEquals(1f, nb.similarity()[i], 0f);
        }
        s.write(k2, new float[] {0}, new float[] {0.9f});
        Neighbours n2 = s.read(k2);
        int[] b1 = s.buckets(k1);
        int[] b2 = s.buckets(k2);
        for (int i = 0; i < 8; i++) {
            if (b1[i] == b2[i]) {
                assertEquals(0.5f, n2.labels()[i], 1e-6f); // (1 + 0 + 1 + 0) / 4
                assertEquals(1f, n2.similarity()[i], 0f);
            } else {
                assertEquals(0f, n2.labels()[i], 1e-6f);
                assertEquals(0.9f, n2.basePredictions()[i], 1e-6f);
            }
        }
        assertEquals(4, s.size());
        s.clear();
        assertEquals(0, s.read(k1).count());
    }

    @Test
    void countSimilarityIsRelativeToTheFullestBucket() {
        // L = 1: buckets are half-spaces, so orthogonal keys share a bucket in about half the arrays.
        LshSketch s = new LshSketch(2, 1, 16, 1, LshSketch.Similarity.COUNT, 5);
        float[] q = {1, 0};
        float[] p = {0, 1};
        s.write(q, new float[] {1}, new float[] {0.5f});
        s.write(q, new float[] {1}, new float[] {0.5f});
        s.write(p, new float[] {0}, new float[] {0.5f});
        int[] bq = s.buckets(q);
        int[] bp = s.buckets(p);
        int shared = 0;
        for (int i = 0; i < 16; i++) {
            shared += bq[i] == bp[i] ? 1 : 0;
        }
        assertTrue(shared > 0 && shared < 16, "seed gives both cases: " + shared);
        Neighbours nb = s.read(q);
        assertEquals(16, nb.count());
        for (int i = 0; i < 16; i++) {
            boolean both = bq[i] == bp[i];
            assertEquals(both ? 1f : 2f / 3f, nb.similarity()[i], 1e-6f, "n = 3 is the fullest bucket");
            assertEquals(both ? 2f / 3f : 1f, nb.labels()[i], 1e-6f);
        }
    }

    @Test
    void cosineModeComparesWithTheBucketKeySum() {
        LshSketch s = new LshSketch(3, 1, 4, 3, LshSketch.Similarity.COSINE, 2);
        float[] h1 = {1, 0, 0};
        float[] h2 = {1, 0.1f, 0};
        s.write(h1, new float[] {1}, new float[] {0.3f});
        s.write(h2, new float[] {0}, new float[] {0.3f});
        Neighbours nb = s.read(h1);
        int[] b1 = s.buckets(h1);
        int[] b2 = s.buckets(h2);
        for (int i = 0; i < nb.count(); i++) {
            if (b1[i] == b2[i]) {
                // Σh = (2, 0.1, 0): cos(h1, Σh) = 2 / sqrt(4.01)
                assertEquals(2 / Math.sqrt(4.01), nb.similarity()[i], 1e-6);
            } else {
                assertEquals(1f, nb.similarity()[i], 1e-6f);
            }
        }
    }

    @Test
    void decayWeighsRecentWritesMoreAndRescalesExactly() {
        LshSketch s = new LshSketch(2, 1, 2, 2, LshSketch.Similarity.COUNT, 9);
        float[] k = {1, 1};
        s.write(k, new float[] {1}, new float[] {0});
        s.endEpoch(0.5);
        s.write(k, new float[] {0}, new float[] {0});
        // weights 1 and 2: ȳ = 1 / 3
        assertEquals(1f / 3f, s.read(k).labels()[0], 1e-6f);
        LshSketch t = new LshSketch(2, 1, 2, 2, LshSketch.Similarity.COUNT, 9);
        t.write(k, new float[] {1}, new float[] {0});
        for (int e = 0; e < 5; e++) {
            t.endEpoch(1e-4); // weight 1e20 > 1e15: rescaled on the way
        }
        t.write(k, new float[] {0}, new float[] {0});
        // old write weighs 1e-20 relative to the new one
        assertEquals(0f, t.read(k).labels()[0], 1e-12f);
        assertThrows(IllegalArgumentException.class, () -> t.endEpoch(0));
    }

    @Test
    void sketchStateRoundTripsAndRefusesAnotherSeed() {
        LshSketch s = new LshSketch(5, 2, 6, 4, LshSketch.Similarity.COUNT, Long.MAX_VALUE - 3);
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 50; i++) {
            s.write(gaussian(r, 5), new float[] {1, 0}, new float[] {0.3f, 0.7f});
        }
        s.endEpoch(0.9);
        Map<String, StrategyState.Tensor> t = s.exportTensors();
        Map<String, Double> sc = s.exportScalars();
        LshSketch copy = new LshSketch(5, 2, 6, 4, LshSketch.Similarity.COUNT, Long.MAX_VALUE - 3);
        copy.importState(t, sc);
        float[] q = gaussian(r, 5);
        assertEquals(s.read(q).count(), copy.read(q).count());
        assertArrayEquals(s.read(q).labels(), copy.read(q).labels(), 0f);
        assertArrayEquals(s.read(q).similarity(), copy.read(q).similarity(), 0f);
        assertEquals(50, copy.size());
        LshSketch other = new LshSketch(5, 2, 6, 4, LshSketch.Similarity.COUNT, Long.MAX_VALUE - 4);
        assertThrows(IllegalArgumentException.class, () -> other.importState(t, sc));
    }

    @Test
    void knnReturnsTheTopKByCosineAndEvictsFirstInFirstOut() {
        KnnMemory m = new KnnMemory(2, 1, 2, 3);
        m.write(new float[] {1, 0}, new float[] {1}, new float[] {0.1f});
        m.write(new float[] {0, 1}, new float[] {0}, new float[] {0.2f});
        m.write(new float[] {1, 1}, new float[] {1}, new float[] {0.3f});
        Neighbours nb = m.read(new float[] {2, 0});
        assertEquals(2, nb.count());
        float[] sims = nb.similarity().clone();
        Arrays.sort(sims);
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(2)), 1f}, sims, 1e-6f);
        // Hand-built answer: λ = 1, γ = 1, τ = 0.1 over sims {1, 0.7071} with labels {1, 1}: ȳ = 1.
        assertEquals(1f, Compensation.apply(new float[] {0.4f}, nb, 0.1, 1, 1)[0], 1e-6f);
        // A fourth write evicts the oldest ({1,0} -> label 1).
        m.write(new float[] {-1, 0}, new float[] {0}, new float[] {0.4f});
        assertEquals(3, m.held());
        Neighbours after = m.read(new float[] {1, 0});
        for (int i = 0; i < after.count(); i++) {
            assertTrue(after.similarity()[i] < 0.99f, "the {1,0} sample is gone");
        }
        Map<String, StrategyState.Tensor> t = m.exportTensors();
        KnnMemory copy = new KnnMemory(2, 1, 2, 3);
        copy.importState(t, m.exportScalars());
        assertArrayEquals(m.read(new float[] {0.3f, 1}).labels(), copy.read(new float[] {0.3f, 1}).labels(), 0f);
        copy.write(new float[] {5, 5}, new float[] {1}, new float[] {1});
        m.write(new float[] {5, 5}, new float[] {1}, new float[] {1});
        assertArrayEquals(m.read(new float[] {0, -1}).basePredictions(),
                copy.read(new float[] {0, -1}).basePredictions(), 0f, "ring positions restored");
    }

    @Test
    void knnDecayDropsSamplesOlderThanTheirNegligibleWeight() {
        KnnMemory m = new KnnMemory(1, 1, 5, 10);
        m.write(new float[] {1}, new float[] {1}, new float[] {0});
        // ρ = 0.1: weight below 1e-3 after 3 epochs -> max age floor(log(1e-3)/log(0.1)) = 3
        for (int e = 0; e < 3; e++) {
            m.endEpoch(0.1);
            m.write(new float[] {1}, new float[] {0}, new float[] {0});
        }
        assertEquals(4, m.held());
        m.endEpoch(0.1);
        assertEquals(3, m.held(), "the first sample is 4 epochs old");
        Neighbours nb = m.read(new float[] {1});
        for (int i = 0; i < nb.count(); i++) {
            assertEquals(0f, nb.labels()[i], 0f);
        }
    }

    private static float[] gaussian(SplittableRandom r, int d) {
        float[] x = new float[d];
        for (int i = 0; i < d; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Two unit vectors at angle theta in a random plane. */
    private static float[][] pairAtAngle(SplittableRandom r, int d, double theta) {
        double[] u = unit(r, d, null);
        double[] w = unit(r, d, u);
        float[] a = new float[d];
        float[] b = new float[d];
        for (int i = 0; i < d; i++) {
            a[i] = (float) u[i];
            b[i] = (float) (Math.cos(theta) * u[i] + Math.sin(theta) * w[i]);
        }
        return new float[][] {a, b};
    }

    private static double[] unit(SplittableRandom r, int d, double[] orthTo) {
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = r.nextGaussian();
        }
        if (orthTo != null) {
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += x[i] * orthTo[i];
            }
            for (int i = 0; i < d; i++) {
                x[i] -= dot * orthTo[i];
            }
        }
        double n = 0;
        for (double v : x) {
            n += v * v;
        }
        n = Math.sqrt(n);
        for (int i = 0; i < d; i++) {
            x[i] /= n;
        }
        return x;
    }
}
