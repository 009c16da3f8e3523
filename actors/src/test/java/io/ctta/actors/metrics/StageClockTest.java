package io.ctta.actors.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class StageClockTest {

    @Test
    void eachStageSumsItsTimeAndCallsAndExportsThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StageClock clock = new StageClock(registry, Tags.of("pipeline", "p", "strategy", "s"));

        clock.add(StageClock.Stage.DECODE, 1_500_000_000L);
        clock.add(StageClock.Stage.DECODE, 500_000_000L);
        clock.add(StageClock.Stage.MODEL, 3_000_000_000L);

        var totals = clock.snapshot();
        assertEquals(new StageClock.Totals(2_000_000_000L, 2), totals.get(StageClock.Stage.DECODE));
        assertEquals(new StageClock.Totals(3_000_000_000L, 1), totals.get(StageClock.Stage.MODEL));
        assertEquals(new StageClock.Totals(0, 0), totals.get(StageClock.Stage.ENCODE));
        assertEquals(2.0, registry.get("ctta.stage.seconds").tags("pipeline", "p", "stage", "decode").functionCounter().count(), 1e-9);
        assertEquals(2.0, registry.get("ctta.stage.calls").tags("stage", "decode").functionCounter().count(), 1e-9);
        assertEquals(3.0, registry.get("ctta.stage.seconds").tags("stage", "model").functionCounter().count(), 1e-9);
    }
}
