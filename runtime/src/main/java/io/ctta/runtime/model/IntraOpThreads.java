package io.ctta.runtime.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many threads one libtorch operator (a convolution, a matrix product) may use on the thread
 * that calls it.
 *
 * <p>Why per thread: libtorch's CPU build parallelises operators with OpenMP, and
 * {@code at::set_num_threads} sets OpenMP's thread count for the calling thread only (a thread
 * that never set it inherits the last value set anywhere, once, on its first operator). Left at
 * its default (every core) on each of N model threads, N models would start N x cores OpenMP
 * workers on cores that cannot run them, and spend the time switching. Each model thread
 * therefore applies its share before it runs the model, and again when it finds the value changed
 * (actor threads are pooled: a model may move between them).
 *
 * @param count threads per operator, at least 1
 */
public record IntraOpThreads(int count) {

    public IntraOpThreads {
        if (count < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, got " + count);
        }
    }

    /** {@code cores / models}, at least 1: N models running at once fill the cores without oversubscribing them. */
    public static IntraOpThreads share(int cores, int models) {
        if (cores < 1 || models < 1) {
            throw new IllegalArgumentException("cores and models must be at least 1, got " + cores + " and " + models);
        }
        return new IntraOpThreads(Math.max(1, cores / models));
    }

    /** {@link #share} of this machine's available processors. */
    public static IntraOpThreads shareOfThisMachine(int models) {
        return share(Runtime.getRuntime().availableProcessors(), models);
    }

    /**
     * Sets the calling thread's operator thread count to {@link #count()} unless it already is.
     * Loads the PyTorch engine first if nothing has yet (a model actor applies this before it
     * builds its model, and the native calls exist only once the engine is loaded).
     */
    public void applyToCurrentThread() {
        NativeLibrary.ensureLoaded();
        if (JniUtils.getNumThreads() != count) {
            JniUtils.setNumThreads(count);
        }
    }

    /** The calling thread's operator thread count now. */
    public static int ofCurrentThread() {
        NativeLibrary.ensureLoaded();
        return JniUtils.getNumThreads();
    }

    /** Loads the engine once, when first needed (class initialisation is thread-safe and runs once). */
    private static final class NativeLibrary {
        private static final Engine ENGINE = Engine.getEngine("PyTorch");

        static void ensureLoaded() {
            if (ENGINE == null) {
                throw new IllegalStateException("the PyTorch engine is not available");
            }
        }
    }
}
