package io.ctta.adapters.rmt;

import java.util.SplittableRandom;

/**
 * An endless, reproducible walk over source-sample indices: epoch {@code e} is a Fisher-Yates
 * shuffle seeded by {@code (seed, e)} (the reference's shuffling DataLoader), and a batch that
 * runs past the end of an epoch continues into the next one (so every batch has the requested
 * size, which batch-statistics BatchNorm needs). Its whole state is {@code (epoch, position)}, so
 * it checkpoints as two numbers.
 */
final class SourceSampler {

    private final int size;
    private final long seed;
    private long epoch;
    private int position;
    private int[] order;

    SourceSampler(int size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("source data is empty");
        }
        this.size = size;
        this.seed = seed;
        this.order = permutation(0);
    }

    /** The next {@code n} indices. */
    int[] next(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (position == size) {
                epoch++;
                position = 0;
                order = permutation(epoch);
            }
            out[i] = order[position++];
        }
        return out;
    }

    long epoch() {
        return epoch;
    }

    int position() {
        return position;
    }

    /** Moves to {@code position} of {@code epoch}. */
    void seek(long newEpoch, int newPosition) {
        if (newEpoch < 0 || newPosition < 0 || newPosition > size) {
            throw new IllegalArgumentException("source position " + newEpoch + "/" + newPosition
                    + " is outside the source data (" + size + " samples)");
        }
        if (newEpoch != epoch) {
            order = permutation(newEpoch);
        }
        epoch = newEpoch;
        position = newPosition;
    }

    private int[] permutation(long e) {
        SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, e));
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
