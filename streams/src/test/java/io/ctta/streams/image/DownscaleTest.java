package io.ctta.streams.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DownscaleTest {

    private static DecodedImage image(int c, int h, int w, int... values) {
        byte[] px = new byte[values.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) values[i];
        }
        return new DecodedImage(c, h, w, px);
    }

    @Test
    void halvingAveragesEachTwoByTwoBlockPerChannel() {
        DecodedImage in = image(3, 2, 4,
                10, 20, 100, 100,
                30, 40, 100, 101,
                0, 0, 255, 255,
                0, 1, 255, 255,
                7, 7, 9, 9,
                7, 7, 9, 9);
        DecodedImage out = Downscale.toMaxSide(in, 2);
        assertEquals(3, out.channels());
        assertEquals(1, out.height());
        assertEquals(2, out.width());
        assertEquals(25, out.value(0, 0, 0));
        assertEquals(100, out.value(0, 0, 1), "100.25 rounds to 100");
        assertEquals(0, out.value(1, 0, 0), "0.25 rounds to 0");
        assertEquals(255, out.value(1, 0, 1));
        assertEquals(9, out.value(2, 0, 1));
    }

    @Test
    void fractionalFootprintsAreWeightedByCoverage() {
        // 3 -> 2: output 0 covers input 0 fully and half of input 1; output 1 the other half and input 2.
        DecodedImage in = image(1, 1, 3, 0, 90, 180);
        DecodedImage out = Downscale.toMaxSide(in, 2);
        assertEquals(30, out.value(0, 0, 0));
        assertEquals(150, out.value(0, 0, 1));
    }

    @Test
    void keepsAspectRatioAndNeverEnlarges() {
        DecodedImage tall = new DecodedImage(3, 1000, 600, new byte[3 * 1000 * 600]);
        DecodedImage out = Downscale.toMaxSide(tall, 448);
        assertEquals(448, out.height());
        assertEquals(269, out.width(), "600 * 448 / 1000 = 268.8");
        DecodedImage small = new DecodedImage(1, 28, 28, new byte[784]);
        assertSame(small, Downscale.toMaxSide(small, 448));
        assertThrows(IllegalArgumentException.class, () -> Downscale.toMaxSide(small, 0));
    }
    @Test
    void theSizeIsKnownBeforeDecodingAndTheLargestFittingSideIsExact() {
        assertArrayEquals(new int[] {336, 448}, Downscale.size(1536, 2048, 448));
        assertArrayEquals(new int[] {448, 252}, Downscale.size(1920, 1080, 448));
        assertArrayEquals(new int[] {10, 20}, Downscale.size(10, 20, 448), "never enlarged");
        DecodedImage img = new DecodedImage(1, 30, 70, new byte[30 * 70]);
        DecodedImage shrunk = Downscale.toMaxSide(img, 20);
        assertArrayEquals(Downscale.size(30, 70, 20), new int[] {shrunk.height(), shrunk.width()});

        for (long bytes : new long[] {1_000_000, 452_000, 100_000, 1_000, 3}) {
            int m = Downscale.largestSideWithin(3, 1536, 2048, bytes);
            int[] fits = Downscale.size(1536, 2048, m);
            int[] over = Downscale.size(1536, 2048, m + 1);
            assertTrue(3L * fits[0] * fits[1] <= bytes && 3L * over[0] * over[1] > bytes, bytes + " bytes: side " + m);
        }
        assertEquals(448, Downscale.largestSideWithin(3, 1536, 2048, 3 * 336 * 448));
        assertEquals(0, Downscale.largestSideWithin(3, 10, 10, 2), "not even one pixel of three channels fits");
        assertEquals(10, Downscale.largestSideWithin(1, 10, 10, 1_000), "the image itself fits");
    }
}
