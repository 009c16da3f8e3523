package io.ctta.actors.checkpoint;

import io.ctta.runtime.checkpoint.CheckpointSettings;
import io.ctta.runtime.checkpoint.CheckpointStore;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;

/** Builds the checkpoint store {@code ctta.checkpoints.store} names. */
public final class CheckpointStores {
    private CheckpointStores() {}

    /**
     * The store of {@code pipeline}.
     *
     * @param kafka bootstrap servers and security settings, used when the store is Kafka-backed
     * @throws UncheckedIOException when the file store's directory cannot be created
     * @throws IllegalArgumentException when checkpoints are off
     */
    public static CheckpointStore open(CheckpointSettings settings, String pipeline, Properties kafka) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("checkpoints are off: set ctta.checkpoints.dir, or ctta.checkpoints.store = kafka");
        }
        return switch (settings.store()) {
            case KAFKA -> new KafkaCheckpointStore(Objects.requireNonNull(kafka, "kafka"), settings.topic(), pipeline, settings.keep());
            case FILE -> {
                try {
                    yield new FileCheckpointStore(settings.dir(), pipeline, settings.keep());
                } catch (IOException e) {
                    throw new UncheckedIOException("pipeline " + pipeline + ": cannot open checkpoints under " + settings.dir(), e);
                }
            }
        };
    }
}
