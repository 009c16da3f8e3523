package io.ctta.actors.cluster;

import io.ctta.actors.model.ModelActor;

/**
 * An admin action on a pipeline's model, as the HTTP admin routes accept it and as it travels to
 * the node that runs the pipeline.
 *
 * @param kind what to do
 * @param strategy the strategy to switch to ({@link Kind#SWITCH}); empty otherwise
 */
public record AdminAction(Kind kind, String strategy) implements ClusterMessage {

    /** The admin actions of {@code /admin/pipelines/<name>/...}. */
    public enum Kind { RESET, CHECKPOINT, SWITCH }

    public AdminAction {
        strategy = strategy == null ? "" : strategy;
        if (kind == Kind.SWITCH && strategy.isEmpty()) {
            throw new IllegalArgumentException("a switch names the strategy to switch to");
        }
    }

    public static AdminAction reset() {
        return new AdminAction(Kind.RESET, "");
    }

    public static AdminAction checkpoint() {
        return new AdminAction(Kind.CHECKPOINT, "");
    }

    public static AdminAction switchTo(String strategy) {
        return new AdminAction(Kind.SWITCH, strategy);
    }

    /** What the action does, in the words the admin log and replies use. */
    public String describe() {
        return switch (kind) {
            case RESET -> "reset to the source weights";
            case CHECKPOINT -> "checkpoint after the next batch";
            case SWITCH -> "switch strategy to " + strategy;
        };
    }

    /**
     * The model actor's command.
     *
     * @param cause why, as the model actor logs a reset (the node the request came through when it
     *     was routed from another node)
     */
    ModelActor.Command toCommand(String cause) {
        return switch (kind) {
            case RESET -> new ModelActor.Reset(cause);
            case CHECKPOINT -> ModelActor.CheckpointNow.INSTANCE;
            case SWITCH -> new ModelActor.SwitchStrategy(strategy);
        };
    }
}
