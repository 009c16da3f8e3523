package io.ctta.runtime.checkpoint;

import java.util.Objects;

/**
 * One committed checkpoint as the manifest records it.
 *
 * @param file the file name inside the pipeline directory
 * @param epoch the owner epoch it was written under
 * @param sequence its sequence number
 * @param sha256 the SHA-256 trailer of the file, lower-case hex; a file whose content does not
 *     hash to it is treated as corrupt
 */
public record CheckpointEntry(String file, long epoch, long sequence, String sha256) {
    public CheckpointEntry {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
    }
}
