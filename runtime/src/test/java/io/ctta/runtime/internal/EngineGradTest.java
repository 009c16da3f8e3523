package io.ctta.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

/** Grad mode is per thread; what is set is what is read back, so it can be put back after a switch. */
class EngineGradTest {

    @Test
    void readsBackWhatWasSet() {
        Engine.getEngine("PyTorch");
        boolean before = EngineGrad.isGradMode();
        try {
            EngineGrad.setGradMode(true);
            assertTrue(EngineGrad.isGradMode());
            EngineGrad.setGradMode(false);
            assertFalse(EngineGrad.isGradMode());
        } finally {
            EngineGrad.setGradMode(before);
        }
    }
}
