package io.ctta.adapters.rmt;

/** Derives independent seeds from the strategy's root seed (SplitMix64 finaliser). */
final class Seeds {

    /** Salts of the random streams RMT uses; one per purpose, so they never overlap. */
    static final long PROJECTOR = 0x5052_4f4aL;
    static final long WARMUP_SOURCE = 0x5741_524dL;
    static final long PROTOTYPES = 0x5052_4f54L;
    static final long AUGMENT = 0x4155_4747L;

    private Seeds() {}

    /** A well-mixed 64-bit value of {@code (a, b)}. */
    static long mix(long a, long b) {
        return fmix(fmix(a) ^ (b * 0x9E37_79B9_7F4A_7C15L + 0x632B_E59B_D9B4_E019L));
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
