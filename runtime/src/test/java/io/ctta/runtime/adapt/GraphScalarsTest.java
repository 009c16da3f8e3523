package io.ctta.runtime.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class GraphScalarsTest {
    @Test
    void valuesAndGradientsKnownAnswers() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            assertArrayEquals(new float[] {1, 8, 27}, GraphScalars.pow(x, 3).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.5f, 1, 1.5f}, GraphScalars.mul(x, 0.5).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f}, GraphScalars.div(x, 4).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {2.5f, 2.5f, 3}, GraphScalars.maximum(x, 2.5).toFloatArray(), 1e-6f);
            NDArray c = GraphScalars.constant(x, 7);
            assertEquals(0, c.getShape().dimension());
            assertEquals(DataType.FLOAT32, c.getDataType());
            try (GradientGate.Session s = GradientGate.create().open()) {
                NDArray y = GraphScalars.pow(x, 3).sum().add(GraphScalars.mul(x, 0.5).sum())
                        .add(GraphScalars.div(x, 4).sum()).add(GraphScalars.maximum(x, 2.5).sum());
                // The numbers' tensors must survive collections between the forward and the
                // backward pass (DJL's own overloads point into buffers the collector frees).
                for (int i = 0; i < 5; i++) {
                    System.gc();
                }
                s.backward(y);
            }
            // d/dx [x³ + x/2 + x/4 + max(x, 2.5)] = 3x² + 0.75 + [x > 2.5]
            assertArrayEquals(new float[] {3.75f, 12.75f, 28.75f}, x.getGradient().toFloatArray(), 1e-5f);
        }
    }
}
