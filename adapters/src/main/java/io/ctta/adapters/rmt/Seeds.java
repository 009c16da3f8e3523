package io.ctta.adapters.rmt;

import io.ctta.runtime.util.SplitMix64;

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
        return SplitMix64.mix(SplitMix64.mix(a) ^ (b * SplitMix64.GOLDEN + 0x632B_E59B_D9B4_E019L));
    }
}
