package io.ctta.runtime.util;

/**
 * The SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mix with full
 * avalanche. Every seeded stream in ctta derives its seed with it, statelessly, so a stream's
 * draws depend only on (root seed, purpose, position) and survive checkpoint and restart.
 */
public final class SplitMix64 {

    /** The golden-ratio increment of SplitMix64, {@code 2^64 / φ}. */
    public static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private SplitMix64() {}

    /** The finaliser of {@code z}. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** The {@code index}-th output of a SplitMix64 generator started at {@code seed}: {@code mix(seed + index·GOLDEN)}. */
    public static long at(long seed, long index) {
        return mix(seed + index * GOLDEN);
    }
}
