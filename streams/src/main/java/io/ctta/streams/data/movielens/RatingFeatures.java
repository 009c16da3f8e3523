package io.ctta.streams.data.movielens;

/**
 * Encodes a {@link Rating} as the flat float vector of hashed categorical fields that ctta's
 * built-in tabular model reads ({@code TabularMlp}, kind {@code TABULAR_MLP}): the bucket index
 * (an integer in {@code [0, buckets)}, as a float) of the user, the movie and the movie's genre
 * combination, in that order; no numeric fields.
 *
 * <p>Hashing is a seeded SplitMix64 of (field, id), so distinct ids collide with probability
 * {@code 1/buckets} and the same encoder always gives the same vector.
 */
public final class RatingFeatures {

    /** Categorical fields per sample: user, movie, genres. */
    public static final int FIELDS = 3;

    private final int buckets;
    private final long seed;

    /**
     * @param buckets hash buckets per field (>= 1)
     * @param seed the hash seed
     */
    public RatingFeatures(int buckets, long seed) {
        if (buckets < 1 || buckets > (1 << 24)) {
            throw new IllegalArgumentException("buckets must be in [1, 2^24] (exact as float), got " + buckets);
        }
        this.buckets = buckets;
        this.seed = seed;
    }

    /** Hash buckets per field. */
    public int buckets() {
        return buckets;
    }

    /** Floats per sample ({@link #FIELDS}). */
    public int sampleLength() {
        return FIELDS;
    }

    /** Writes the sample of {@code r} into {@code dst[offset .. offset + FIELDS)}. */
    public void encode(Rating r, float[] dst, int offset) {
        dst[offset] = bucket(0, r.userId());
        dst[offset + 1] = bucket(1, r.movieId());
        dst[offset + 2] = bucket(2, r.genres().hashCode());
    }

    /** The sample of {@code r}. */
    public float[] encode(Rating r) {
        float[] x = new float[FIELDS];
        encode(r, x, 0);
        return x;
    }

    private int bucket(int field, long id) {
        long z = seed + field * 0x9E37_79B9_7F4A_7C15L + id * 0xD1B5_4A32_D192_ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        z ^= z >>> 31;
        return (int) Long.remainderUnsigned(z, buckets);
    }
}
