package io.ctta.runtime.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrequentialEvaluatorTest {
    @Test
    void knownAnswers() {
        PrequentialEvaluator e = new PrequentialEvaluator(3, 0.5);
        assertTrue(Double.isNaN(e.error()));
        // wrong, right, wrong, wrong, right
        e.record(1, 0, "a");
        e.record(2, 2, "a");
        e.record(0, 1, "b");
        e.record(3, 4, null);
        e.record(5, 5, "b");
        assertEquals(5, e.count());
        assertEquals(3, e.errors());
        assertEquals(0.6, e.error(), 1e-12);
        assertEquals(2.0 / 3.0, e.windowError(), 1e-12); // last three: wrong, wrong, right
        assertEquals(List.of("a", "b"), List.copyOf(e.errorByDomain().keySet()));
        assertEquals(0.5, e.errorByDomain().get("a"), 1e-12);
        assertEquals(0.5, e.errorByDomain().get("b"), 1e-12);
        assertEquals(2L, e.countByDomain().get("a"));
        // faded: errors 1,0,1,1,0 with f = 0.5 -> S = 0 + .5(1 + .5(1 + .5(0 + .5*1))) = 0.8125
        // N = 1 + .5 + .25 + .125 + .0625 = 1.9375
        assertEquals(0.8125 / 1.9375, e.fadingError(), 1e-12);
        e.reset();
        assertEquals(0, e.count());
    }

    /** A restored evaluator scores the next records exactly as the original; other settings are refused. */
    @org.junit.jupiter.api.Test
    void aSnapshotRestoresWindowCountersDomainsAndFading() {
        PrequentialEvaluator a = new PrequentialEvaluator(5, 0.9);
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 13; i++) {
            a.record(r.nextInt(2), r.nextInt(2), i % 2 == 0 ? "even" : null);
        }
        PrequentialEvaluator b = new PrequentialEvaluator(5, 0.9);
        b.restore(a.snapshot());
        for (int i = 0; i < 4; i++) {
            int p = r.nextInt(2);
            int y = r.nextInt(2);
            a.record(p, y, "later");
            b.record(p, y, "later");
            org.junit.jupiter.api.Assertions.assertEquals(a.windowError(), b.windowError(), 0.0);
            org.junit.jupiter.api.Assertions.assertEquals(a.fadingError(), b.fadingError(), 0.0);
        }
        org.junit.jupiter.api.Assertions.assertEquals(a.count(), b.count());
        org.junit.jupiter.api.Assertions.assertEquals(a.errorByDomain(), b.errorByDomain());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PrequentialEvaluator(6, 0.9).restore(a.snapshot()));
    }
}
