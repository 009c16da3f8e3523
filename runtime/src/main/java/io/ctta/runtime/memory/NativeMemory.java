package io.ctta.runtime.memory;

import ai.djl.ndarray.NDManager;

/** Helpers to observe native memory held under a manager (tests, gauges). */
public final class NativeMemory {

    private NativeMemory() {}

    /** The number of open NDArrays under {@code manager}, sub-managers included. */
    public static long liveArrays(NDManager manager) {
        return manager.getManagedArrays().size();
    }
}
