package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StrategyCreationExceptionTest {

    @Test
    void aCauseWithoutAMessageIsStillNamed() {
        assertEquals("strategy tent cannot be created: java.lang.NullPointerException",
                new StrategyCreationException("tent", new NullPointerException()).getMessage());
        assertEquals("strategy tent cannot be created: no BatchNorm",
                new StrategyCreationException("tent", new IllegalArgumentException("no BatchNorm")).getMessage());
    }
}
