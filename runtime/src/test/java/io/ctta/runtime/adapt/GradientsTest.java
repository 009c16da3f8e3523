package io.ctta.runtime.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientsTest {

    @Test
    void massIsZeroOnlyForAllZeroAndNonFiniteForAnyNanOrInf() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray zeros = m.zeros(new ai.djl.ndarray.types.Shape(3, 2));
            assertEquals(0.0, Gradients.mass(List.of(zeros, m.zeros(new ai.djl.ndarray.types.Shape(4)))));
            // A sum of squares would underflow here; the largest magnitude does not.
            assertEquals(1e-30f, (float) Gradients.mass(List.of(zeros, m.create(new float[] {0, -1e-30f}))));
            assertEquals(3f, (float) Gradients.mass(List.of(m.create(new float[] {1, -3}), m.create(new float[] {2}))));
            assertTrue(Double.isNaN(Gradients.mass(List.of(m.create(new float[] {1, Float.NaN}), zeros))));
            assertTrue(Double.isNaN(Gradients.mass(List.of(zeros, m.create(new float[] {Float.NaN, 5})))));
            assertTrue(Double.isInfinite(Gradients.mass(List.of(m.create(new float[] {1, Float.NEGATIVE_INFINITY})))));
        }
    }

    @Test
    void zeroClearsNanAndInfInPlace() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {Float.NaN, 2, Float.POSITIVE_INFINITY});
            NDArray b = m.create(new float[] {-1, 0});
            Gradients.zero(List.of(a, b));
            assertArrayEquals(new float[] {0, 0, 0}, a.toFloatArray(), 0f);
            assertArrayEquals(new float[] {0, 0}, b.toFloatArray(), 0f);
        }
    }
}
