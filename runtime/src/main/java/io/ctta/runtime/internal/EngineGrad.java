package io.ctta.runtime.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Sets libtorch's per-thread grad mode without a compile-time dependency on the PyTorch engine.
 *
 * <p>Why: grad mode is thread-local and on by default in every thread except the one that
 * initialised the engine (DJL's PyTorch engine turns it off only there). On an actor dispatcher thread an inference forward would
 * otherwise record autograd graphs, and in-place parameter updates on leaves would fail. The runtime
 * therefore forces it off around every step, and a {@code GradientGate} session turns it on for its
 * own thread only while it is open. Not API.
 */
public final class EngineGrad {

    // Immutable after class initialisation: a handle to a static engine method, or null when the
    // PyTorch engine is absent (then there is nothing to switch).
    private static final MethodHandle SET_GRAD_MODE = lookup();
    private static final MethodHandle IS_GRAD_MODE = lookupIs();

    private EngineGrad() {}

    private static MethodHandle lookup() {
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            return MethodHandles.publicLookup().findStatic(jni, "setGradMode",
                    MethodType.methodType(void.class, boolean.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static MethodHandle lookupIs() {
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            return MethodHandles.publicLookup().findStatic(jni, "isGradMode", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Whether grad mode is on for the calling thread; false without the PyTorch engine. */
    public static boolean isGradMode() {
        if (IS_GRAD_MODE == null) {
            return false;
        }
        try {
            return (boolean) IS_GRAD_MODE.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read PyTorch grad mode", t);
        }
    }

    /** Switches grad mode for the calling thread; a no-op without the PyTorch engine. */
    public static void setGradMode(boolean enabled) {
        if (SET_GRAD_MODE == null) {
            return;
        }
        try {
            SET_GRAD_MODE.invokeExact(enabled);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot set PyTorch grad mode", t);
        }
    }
}
