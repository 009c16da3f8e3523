package io.ctta.streams.record;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordTypesTest {

    @Test
    void tensorValidatesShapeAndUint8Range() {
        assertEquals(6, Tensor.float32(new int[] {2, 3}, new float[6]).values().length);
        assertThrows(IllegalArgumentException.class, () -> Tensor.float32(new int[] {2, 3}, new float[5]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.float32(new int[] {0, 3}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.float32(new int[] {}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.elementCount(new int[] {65536, 32768}));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(DType.UINT8, new int[] {1}, new float[] {256}));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(DType.UINT8, new int[] {1}, new float[] {0.5f}));
        assertEquals(new Tensor(DType.UINT8, new int[] {2}, new float[] {0, 255}),
                new Tensor(DType.UINT8, new int[] {2}, new float[] {0, 255}));
    }

    @Test
    void topicsAreDerivedAndValidated() {
        assertEquals("mnist.predictions", Topics.predictions("mnist"));
        assertEquals("mnist.dead-letters", Topics.deadLetters("mnist"));
        assertEquals("mnist.drift", Topics.drift("mnist"));
        assertEquals("mnist.feedback", Topics.feedback("mnist"));
        assertThrows(IllegalArgumentException.class, () -> Topics.predictions("has space"));
        assertThrows(IllegalArgumentException.class, () -> Topics.validate(".."));
        assertThrows(IllegalArgumentException.class, () -> Topics.validate(""));
        assertThrows(IllegalArgumentException.class, () -> Topics.drift("x".repeat(244)));
        assertEquals(249, Topics.drift("x".repeat(243)).length());
    }

    @Test
    void labelsAreNonNegative() {
        Tensor t = Tensor.float32(new int[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> new InferenceRecord("a", "k", 0, null, -1, t));
        assertThrows(IllegalArgumentException.class, () -> new LabelFeedback("a", -1, 0));
    }
}
