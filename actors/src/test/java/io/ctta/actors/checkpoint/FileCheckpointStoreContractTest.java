package io.ctta.actors.checkpoint;

import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.CheckpointFormat;
import io.ctta.runtime.checkpoint.CheckpointStore;
import io.ctta.runtime.checkpoint.FileCheckpointStore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The reference store against the contract the Kafka store is held to. */
class FileCheckpointStoreContractTest extends CheckpointStoreContract {

    @TempDir
    Path root;

    @Override
    CheckpointStore store(String pipeline, int keep) throws Exception {
        return new FileCheckpointStore(root, pipeline, keep);
    }

    @Override
    void corrupt(CheckpointStore store, CheckpointEntry entry) throws Exception {
        Path f = ((FileCheckpointStore) store).directory().resolve(entry.file());
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x5a;
        Files.write(f, b);
    }

    @Override
    void writeWithoutManifest(CheckpointStore store, Checkpoint c) throws Exception {
        // What a crash after the rename and before the manifest switch leaves: a complete, unlisted file.
        String name = String.format(Locale.ROOT, "ckpt-e%019d-s%019d-%s.ckpt", c.ownerEpoch(), c.sequence(), "0123456789ab");
        try (OutputStream out = Files.newOutputStream(((FileCheckpointStore) store).directory().resolve(name))) {
            CheckpointFormat.write(c, out);
        }
    }

    @Override
    Set<String> stored(CheckpointStore store) throws Exception {
        try (Stream<Path> s = Files.list(((FileCheckpointStore) store).directory())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ckpt")).collect(Collectors.toSet());
        }
    }
}
