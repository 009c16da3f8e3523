package io.ctta.actors.health;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Kubernetes-style probes over the pipeline states (docs/operations.md, "Health").
 *
 * <ul>
 *   <li><b>live</b>: the process is worth keeping: false only while it shuts down, or when a
 *       pipeline failed for good and {@link FailurePolicy#EXIT} says the process must go (a
 *       restart of the process is then the remedy). A pipeline that restarts with backoff is
 *       alive: restarting the process would not help it.</li>
 *   <li><b>ready</b>: every pipeline is {@link PipelineState#RUNNING} or {@link PipelineState#STANDBY}
 *       (a hot standby is healthy and can take over at once); any other state (starting,
 *       restarting, stopped, failed, also under keep-running) makes the process not ready.</li>
 * </ul>
 */
public final class HealthCheck {

    /** The answer to one probe, with every pipeline's status so the body can say why. */
    public record Verdict(boolean live, boolean ready, FailurePolicy policy, List<PipelineStatus> pipelines) {}

    private final PipelineStates states;
    private final FailurePolicy policy;
    private final BooleanSupplier shuttingDown;

    /**
     * @param shuttingDown true once the runtime closes or the actor system terminates
     */
    public HealthCheck(PipelineStates states, FailurePolicy policy, BooleanSupplier shuttingDown) {
        this.states = states;
        this.policy = policy;
        this.shuttingDown = shuttingDown;
    }

    public Verdict check() {
        List<PipelineStatus> all = states.all();
        boolean failedForGood = policy == FailurePolicy.EXIT && all.stream().anyMatch(s -> s.state() == PipelineState.FAILED);
        boolean live = !shuttingDown.getAsBoolean() && !failedForGood;
        boolean ready = live && !all.isEmpty() && all.stream().allMatch(s -> s.state() == PipelineState.RUNNING || s.state() == PipelineState.STANDBY);
        return new Verdict(live, ready, policy, all);
    }

    public PipelineStates states() {
        return states;
    }
}
