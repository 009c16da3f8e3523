package io.ctta.actors.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ctta.actors.config.CttaSettings;
import io.ctta.actors.config.InvalidConfigException;
import io.ctta.runtime.adapt.StrategyRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The state machine's bookkeeping and the probes' verdicts, without any pipeline. */
class PipelineStatesTest {

    private final Instant t0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void restartsCountAttemptsUntilThePipelineRunsAgain() {
        PipelineStates states = new PipelineStates(Clock.fixed(t0, ZoneOffset.UTC));
        states.register("a", "tent");
        CompletableFuture<?> started = states.started();
        assertFalse(started.isDone(), "a starting pipeline has not started");
        states.restarting("a", "boom 1", t0.plusMillis(200));
        assertTrue(started.isDone(), "a pipeline that restarts is past starting");
        states.retrying("a");
        states.restarting("a", "boom 2", t0.plusMillis(400));
        PipelineStatus s = states.get("a").orElseThrow();
        assertEquals(PipelineState.RESTARTING, s.state());
        assertEquals(2, s.attempt());
        assertEquals(2, s.restarts());
        assertEquals(t0.plusMillis(400), s.nextRetry());
        assertEquals("boom 2", s.lastError());
        states.retrying("a");
        assertNull(states.get("a").orElseThrow().nextRetry(), "retrying: no retry is pending");
        states.running("a");
        s = states.get("a").orElseThrow();
        assertEquals(PipelineState.RUNNING, s.state());
        assertEquals(0, s.attempt(), "the failure streak ends");
        assertEquals(2, s.restarts(), "restarts are counted for the life of the process");
        assertEquals("boom 2", s.lastError(), "the last error stays visible after recovery");
    }

    @Test
    void liveAndReadyFollowThePolicy() {
        PipelineStates states = new PipelineStates();
        states.register("a", "source");
        states.register("b", "tent");
        AtomicBoolean closing = new AtomicBoolean();
        HealthCheck exit = new HealthCheck(states, FailurePolicy.EXIT, closing::get);
        HealthCheck keep = new HealthCheck(states, FailurePolicy.KEEP_RUNNING, closing::get);
        assertTrue(exit.check().live());
        assertFalse(exit.check().ready(), "starting is not ready");
        states.running("a");
        states.running("b");
        assertTrue(exit.check().ready());
        states.failed("b", "cannot be created");
        assertFalse(exit.check().live(), "exit: a failed pipeline fails liveness");
        assertTrue(keep.check().live(), "keep-running: alive");
        assertFalse(keep.check().ready(), "keep-running: not ready while one failed");
        closing.set(true);
        assertFalse(keep.check().live(), "shutting down is not alive");
    }

    @Test
    void aStandbyIsStartedAndReadyAndStartsAgainWhenItTakesOver() {
        PipelineStates states = new PipelineStates(Clock.fixed(t0, ZoneOffset.UTC));
        states.register("a", "tent");
        states.register("b", "source");
        HealthCheck health = new HealthCheck(states, FailurePolicy.EXIT, () -> false);
        CompletableFuture<?> started = states.started();
        states.standby("a");
        states.running("b");
        assertTrue(started.isDone(), "a standby is past starting");
        assertEquals(PipelineState.STANDBY, states.get("a").orElseThrow().state());
        assertTrue(health.check().ready(), "a standby is ready: it can take over at once");
        states.starting("a");
        assertEquals(PipelineState.STARTING, states.get("a").orElseThrow().state());
        assertFalse(health.check().ready(), "taking over: starting, not ready");
        states.running("a");
        assertTrue(health.check().ready());
        states.standby("a");
        assertEquals(PipelineState.STANDBY, states.get("a").orElseThrow().state(), "handed over: stands by again");
    }

    @Test
    void aPolicyOtherThanExitOrKeepRunningFailsAtStartupNamingTheKey() {
        StrategyRegistry registry = StrategyRegistry.load();
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> CttaSettings.load(
                ConfigFactory.parseString("ctta.on-pipeline-failure = restart"), registry.names()::contains, registry.names()));
        assertTrue(e.getMessage().contains("ctta.on-pipeline-failure"), e.getMessage());
        assertTrue(e.getMessage().contains("one of exit, keep-running"), e.getMessage());
        assertEquals(FailurePolicy.EXIT, CttaSettings.load(ConfigFactory.empty(), registry.names()::contains, registry.names()).onPipelineFailure());
    }
}
