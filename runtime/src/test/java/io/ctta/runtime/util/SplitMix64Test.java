package io.ctta.runtime.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SplitMix64Test {
    @Test
    void matchesTheReferenceGeneratorSeededWithZero() {
        // The first outputs of Vigna's splitmix64.c with x = 0.
        assertEquals(0xE220A8397B1DCDAFL, SplitMix64.at(0, 1));
        assertEquals(0x6E789E6AA1B965F4L, SplitMix64.at(0, 2));
        assertEquals(0x06C45D188009454FL, SplitMix64.at(0, 3));
        assertEquals(SplitMix64.mix(SplitMix64.GOLDEN), SplitMix64.at(0, 1));
        assertEquals(0L, SplitMix64.mix(0));
    }
}
