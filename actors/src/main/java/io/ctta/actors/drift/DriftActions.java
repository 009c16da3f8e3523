package io.ctta.actors.drift;

import io.ctta.actors.model.ModelActor;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What a drift makes the runtime do, at most once per cooldown: nothing, reset the strategy to
 * the source weights, switch to another strategy, or take a checkpoint. Warnings never act.
 */
public final class DriftActions {

    /** The configured action. */
    public enum Kind {
        NONE,
        RESET,
        SWITCH_STRATEGY,
        SNAPSHOT;

        /** The name used in config, metrics and events. */
        public String wireName() {
            return "drift-" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Kind kind;
    private final String switchTo;
    private final long cooldownMs;
    private final LongSupplier clock;
    private long lastActionMs = Long.MIN_VALUE / 2;

    public DriftActions(Kind kind, String switchTo, Duration cooldown, LongSupplier clockMs) {
        this.kind = kind;
        this.switchTo = switchTo;
        this.cooldownMs = cooldown.toMillis();
        this.clock = clockMs;
    }

    /** The command to send the model actor for this event, if it calls for one now. */
    public Optional<ModelActor.Command> onEvent(DriftEvent e) {
        if (kind == Kind.NONE || !"drift".equals(e.level())) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        if (now - lastActionMs < cooldownMs) {
            return Optional.empty();
        }
        lastActionMs = now;
        return Optional.of(switch (kind) {
            case RESET -> new ModelActor.Reset("drift on " + e.signal() + " by " + e.detector());
            case SWITCH_STRATEGY -> new ModelActor.SwitchStrategy(switchTo);
            case SNAPSHOT -> ModelActor.CheckpointNow.INSTANCE;
            case NONE -> throw new IllegalStateException();
        });
    }

    public Kind kind() {
        return kind;
    }
}
