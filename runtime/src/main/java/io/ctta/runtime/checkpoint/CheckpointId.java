package io.ctta.runtime.checkpoint;

/** Names one checkpoint of a pipeline: the owner epoch it was written under and its sequence. */
public record CheckpointId(long epoch, long sequence) {
    @Override
    public String toString() {
        return "e" + epoch + "/s" + sequence;
    }
}
