package io.ctta.runtime.checkpoint;

import java.nio.file.Path;

/**
 * Child-JVM entry point for {@link CrashRecoveryTest}: continues as the current owner and writes
 * sequence {@code args[1]}; the crash point comes from the system property
 * {@value FileCheckpointStore#CRASH_AT_PROPERTY}, so the JVM halts with status 137 mid-write.
 * Exit status 0 means no crash happened, 2 an unexpected failure.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    public static void main(String[] args) {
        try {
            FileCheckpointStore store = new FileCheckpointStore(Path.of(args[0]), Fixtures.PIPELINE);
            long epoch = store.currentEpoch();
            store.write(Fixtures.checkpoint(epoch, Long.parseLong(args[1])));
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(2);
        }
    }
}
