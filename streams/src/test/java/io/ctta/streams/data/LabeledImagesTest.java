package io.ctta.streams.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabeledImagesTest {
    @Test
    void accessorsFollowRowMajorLayout() {
        byte[] px = new byte[2 * 2 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (250 + i);
        }
        LabeledImages d = new LabeledImages(2, 2, 3, px, new int[] {4, 7});
        assertEquals((250 + 11) & 0xFF, d.pixel(1, 1, 2));
        assertEquals(250, d.pixel(0, 0, 0));
        float[] f = d.featuresOf(1);
        assertEquals(6, f.length);
        assertEquals((250 + 6) & 0xFF, f[0]);
        assertEquals(12, d.allFeatures().length);
        assertEquals(d.featuresOf(1)[5], d.allFeatures()[11]);
        LabeledImages s = d.slice(1, 2);
        assertEquals(1, s.count());
        assertArrayEquals(new int[] {7}, s.labels());
        assertArrayEquals(d.featuresOf(1), s.featuresOf(0));
        LabeledImages c = LabeledImages.concat(List.of(s, d.slice(0, 1)));
        assertArrayEquals(new int[] {7, 4}, c.labels());
        assertEquals(LabeledImages.concat(List.of(d.slice(0, 1), d.slice(1, 2))), d);
        assertEquals(d.select(new int[] {1, 0}), c);
    }

    @Test
    void validationNamesTheProblem() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> new LabeledImages(2, 2, 2, new byte[7], new int[2])).getMessage();
        assertTrue(msg.contains("7 bytes") && msg.contains("8"), msg);
        assertThrows(IllegalArgumentException.class,
                () -> new LabeledImages(1, 2, 2, new byte[4], new int[2]));
        assertThrows(IllegalArgumentException.class,
                () -> new LabeledImages(1, 0, 2, new byte[0], new int[1]));
        assertThrows(IllegalArgumentException.class,
                () -> new LabeledImages(1, 1, 1, new byte[1], new int[] {-1}));
        assertThrows(IllegalArgumentException.class,
                () -> LabeledImages.concat(List.of(TestImages.random(1, 2, 2, 1),
                        TestImages.random(1, 3, 2, 1))));
    }
}
