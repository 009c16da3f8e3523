package io.ctta.runtime.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file (or manifest) failed validation: wrong magic, unsupported version, truncated,
 * a length out of bounds, or a SHA-256 mismatch. The message says which, and where.
 *
 * <p>A store treats such a file as absent and falls back to an older checkpoint; it never repairs
 * or partially loads one.
 */
public final class CorruptCheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The file, or {@code null} when the bytes did not come from a file. */
    private final transient Path file;
    private final String reason;

    /**
     * @param file the file that was read, or {@code null} for in-memory bytes
     * @param reason what is wrong with it, e.g. "checksum mismatch (stored ..., computed ...)"
     */
    public CorruptCheckpointException(Path file, String reason) {
        super((file == null ? "checkpoint bytes are" : "checkpoint file " + file + " is") + " corrupt: " + reason);
        this.file = file;
        this.reason = reason;
    }

    /** The file that was read, or {@code null} for in-memory bytes. */
    public Path file() {
        return file;
    }

    /** What is wrong, without the file name. */
    public String reason() {
        return reason;
    }
}
