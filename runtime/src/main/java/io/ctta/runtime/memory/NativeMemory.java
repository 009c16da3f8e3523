package io.ctta.runtime.memory;

import ai.djl.ndarray.NDManager;

/** Helpers to observe native memory held under a manager (tests, gauges). */
public final class NativeMemory {

    private NativeMemory() {}

    /** Bytes of the open NDArrays under {@code manager}, sub-managers included (a gauge, not exact accounting of the engine's allocator). */
    public static long liveBytes(NDManager manager) {
        long bytes = 0;
        for (ai.djl.ndarray.NDResource r : manager.getManagedArrays()) {
            if (r instanceof ai.djl.ndarray.NDArray a && !a.isReleased()) {
                bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
            }
        }
        return bytes;
    }

    /** The number of open NDArrays under {@code manager}, sub-managers included. */
    public static long liveArrays(NDManager manager) {
        return manager.getManagedArrays().size();
    }
}
