package io.ctta.runtime.checkpoint;

/**
 * <b>Test hook.</b> The steps of {@link FileCheckpointStore#write} after which a test can make the
 * JVM die on the spot ({@code Runtime.halt(137)}: no finally blocks, no shutdown hooks, the same
 * as SIGKILL for what reaches the disk), to prove that every prefix of the write protocol
 * recovers. Off unless a store is built with a crash point or the system property
 * {@value FileCheckpointStore#CRASH_AT_PROPERTY} names one. Never set it in production.
 */
public enum CrashPoint {
    /** The temporary file holds the whole checkpoint, not yet fsynced. */
    AFTER_TEMP_WRITE,
    /** The temporary file is fsynced. */
    AFTER_FSYNC,
    /** The temporary file was renamed to its final name; the directory is not yet fsynced. */
    AFTER_RENAME,
    /** The directory is fsynced: the file is durable, but the manifest does not name it yet. */
    AFTER_DIR_FSYNC,
    /** The manifest names the new checkpoint (durably); old files are not yet deleted. */
    AFTER_MANIFEST_SWITCH
}
