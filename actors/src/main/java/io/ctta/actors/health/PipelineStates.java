package io.ctta.actors.health;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The state of every pipeline of a runtime, written by each pipeline's supervisor on its
 * transitions and read by the HTTP probes and {@code ctta run} without asking any actor: a probe
 * must answer even when an actor is busy or wedged. Thread-safe; pipelines keep config order.
 */
public final class PipelineStates {

    private final Clock clock;
    private final Map<String, PipelineStatus> states = new LinkedHashMap<>();
    private final List<Watch> watches = new ArrayList<>();

    private record Watch(Predicate<List<PipelineStatus>> condition, CompletableFuture<List<PipelineStatus>> future) {}

    public PipelineStates() {
        this(Clock.systemUTC());
    }

    public PipelineStates(Clock clock) {
        this.clock = clock;
    }

    /** Adds a configured pipeline, {@link PipelineState#STARTING}. */
    public void register(String pipeline, String strategy) {
        update(pipeline, s -> PipelineStatus.starting(pipeline, strategy, clock.instant()), true);
    }

    /** The graph is up (first start), or it served again after failures: the failure streak ends. */
    public void running(String pipeline) {
        update(pipeline, s -> {
            PipelineStatus r = s.to(PipelineState.RUNNING, clock.instant());
            return new PipelineStatus(r.name(), r.strategy(), r.state(), r.since(), r.restarts(), 0, null, r.lastError(), r.lastErrorAt());
        }, false);
    }

    /** Hot standby: the lease came to this process; its model starts. */
    public void starting(String pipeline) {
        update(pipeline, s -> s.to(PipelineState.STARTING, clock.instant()), false);
    }

    /** Hot standby: another process holds the lease; this one waits for it without a model. */
    public void standby(String pipeline) {
        update(pipeline, s -> {
            PipelineStatus r = s.to(PipelineState.STANDBY, clock.instant());
            return new PipelineStatus(r.name(), r.strategy(), r.state(), r.since(), r.restarts(), 0, null, r.lastError(), r.lastErrorAt());
        }, false);
    }

    /** The graph failed with {@code error}; the next attempt starts at {@code nextRetry}. */
    public void restarting(String pipeline, String error, Instant nextRetry) {
        Instant now = clock.instant();
        update(pipeline, s -> {
            PipelineStatus r = s.to(PipelineState.RESTARTING, now);
            return new PipelineStatus(r.name(), r.strategy(), r.state(), r.since(), r.restarts() + 1, r.attempt() + 1, nextRetry, error, now);
        }, false);
    }

    /** The backoff is over and the graph is being started again: still restarting until it serves. */
    public void retrying(String pipeline) {
        update(pipeline, s -> s.state() == PipelineState.RESTARTING ? s.to(PipelineState.RESTARTING, clock.instant()) : s, false);
    }

    /** It stopped without failing; {@code why} is kept as its last word (null: none). */
    public void stopped(String pipeline, String why) {
        Instant now = clock.instant();
        update(pipeline, s -> {
            PipelineStatus r = s.to(PipelineState.STOPPED, now);
            return why == null ? r : r.withError(why, now);
        }, false);
    }

    /** It stopped for good because of {@code reason}. */
    public void failed(String pipeline, String reason) {
        Instant now = clock.instant();
        update(pipeline, s -> s.to(PipelineState.FAILED, now).withError(reason, now), false);
    }

    /** One pipeline's current status. */
    public synchronized Optional<PipelineStatus> get(String pipeline) {
        return Optional.ofNullable(states.get(pipeline));
    }

    /** Every pipeline's current status, in config order. */
    public synchronized List<PipelineStatus> all() {
        return List.copyOf(states.values());
    }

    /** Completes with every pipeline's status once {@code condition} holds for them (at once if it does now). */
    public CompletableFuture<List<PipelineStatus>> when(Predicate<List<PipelineStatus>> condition) {
        CompletableFuture<List<PipelineStatus>> f = new CompletableFuture<>();
        List<PipelineStatus> now;
        synchronized (this) {
            now = List.copyOf(states.values());
            if (!condition.test(now)) {
                watches.add(new Watch(condition, f));
                return f;
            }
        }
        f.complete(now);
        return f;
    }

    /** Completes once no pipeline is {@link PipelineState#STARTING} any more (each runs, stands by, retries, stopped or failed). */
    public CompletableFuture<List<PipelineStatus>> started() {
        return when(all -> all.stream().noneMatch(s -> s.state() == PipelineState.STARTING));
    }

    private void update(String pipeline, UnaryOperator<PipelineStatus> change, boolean create) {
        List<Watch> satisfied = new ArrayList<>();
        List<PipelineStatus> now;
        synchronized (this) {
            PipelineStatus current = states.get(pipeline);
            if (current == null && !create) {
                return;
            }
            states.put(pipeline, change.apply(current));
            now = List.copyOf(states.values());
            for (var it = watches.iterator(); it.hasNext();) {
                Watch w = it.next();
                if (w.condition().test(now)) {
                    satisfied.add(w);
                    it.remove();
                }
            }
        }
        // Completed outside the lock: what depends on a future may read the states again.
        satisfied.forEach(w -> w.future().complete(now));
    }
}
