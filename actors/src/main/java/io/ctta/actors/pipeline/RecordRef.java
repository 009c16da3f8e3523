package io.ctta.actors.pipeline;

/** Where one input record lives: topic, partition and offset. */
public record RecordRef(String topic, int partition, long offset) {
    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
