package io.ctta.runtime.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ObjectivesTest {
    @Test
    void entropyKnownAnswers() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = m.create(new float[] {0, 0, (float) Math.log(3), 0}, new Shape(2, 2));
            assertArrayEquals(new float[] {0.693147f, 0.562335f}, Objectives.entropyPerSample(logits).toFloatArray(), 1e-5f);
            assertEquals((0.693147f + 0.562335f) / 2, Objectives.meanEntropy(logits).getFloat(), 1e-5f);
            // stable for extreme logits: no NaN where log(softmax) would give 0 * -inf
            NDArray extreme = m.create(new float[] {1000, -1000}, new Shape(1, 2));
            assertEquals(0f, Objectives.meanEntropy(extreme).getFloat(), 1e-6f);
            NDArray ce = Objectives.softmaxCrossEntropy(logits, m.create(new int[] {0, 0}));
            assertEquals((Math.log(2) + Math.log(4.0 / 3)) / 2, ce.getFloat(), 1e-5);
        }
    }

    @Test
    void registryRejectsUnknownWithKnownNames() {
        StrategyRegistry r = StrategyRegistry.load();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.provider("nope"));
        assertTrue(e.getMessage().startsWith("unknown strategy 'nope'; known:"), e.getMessage());
    }
}
