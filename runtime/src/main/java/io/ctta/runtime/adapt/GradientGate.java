package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.ctta.runtime.internal.EngineGrad;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Opens gradient sessions: one backward pass (or a few, accumulated) with grad mode on for the
 * calling thread only.
 *
 * <p>Why no lock: libtorch's grad mode is thread-local, and its autograd engine runs a CPU
 * backward pass on the calling thread, so pipelines on different threads can record and
 * back-propagate at the same time. What used to forbid it was DJL's {@code PtGradientCollector},
 * whose "collecting" flag is <em>static</em> (a second thread's open fails). A session therefore
 * never uses the collector: it switches grad mode with {@code JniUtils.setGradMode} and
 * back-propagates with {@code JniUtils.backward(loss, ones, keepGraph=false, createGraph=false)},
 * exactly the two calls the collector makes, so gradients are bit-identical to the collector's
 * (DJL 0.36's collector zeroes nothing on open or close either: zeroing the gradients a step read
 * stays the strategy's job, {@link Gradients#zero}).
 *
 * <p>Two sessions may not overlap on one thread (nested grad-mode switches would leave it on).
 * {@link #serialized()} keeps the old JVM-wide lock, for benchmarks that measure what parallel
 * backward passes buy. Obtain the process instance with {@link #shared()} and inject it.
 *
 * <p>A session must be opened and closed on the same thread, inside one message.
 */
public final class GradientGate {

    private static final GradientGate SHARED = new GradientGate(null);

    /** The session open on each thread, if any: a session is confined to its thread. */
    private final ThreadLocal<Session> open = new ThreadLocal<>();
    /** Null: sessions of different threads run concurrently. Else one session at a time in the JVM. */
    private final ReentrantLock serializer;

    private GradientGate(ReentrantLock serializer) {
        this.serializer = serializer;
    }

    /** The gate of this JVM that strategies use (a constant; it holds no lock). */
    public static GradientGate shared() {
        return SHARED;
    }

    /** A separate gate (tests). Its sessions run concurrently with every other gate's. */
    public static GradientGate create() {
        return new GradientGate(null);
    }

    /**
     * A gate whose sessions wait on one fair lock, as every backward pass in the JVM did before
     * sessions were per thread; {@code ctta bench scale --serialize-backward} uses it to show the
     * difference.
     */
    public static GradientGate serialized() {
        return new GradientGate(new ReentrantLock(true));
    }

    /**
     * Opens a session on the calling thread: grad mode on for this thread only.
     *
     * @throws IllegalStateException if this thread already has a session of this gate open
     */
    public Session open() {
        if (serializer != null) {
            serializer.lock();
        }
        return openLocked();
    }

    /** As {@link #open()}; with {@link #serialized()} it gives up after {@code timeout} and returns null. */
    public Session tryOpen(long timeout, TimeUnit unit) throws InterruptedException {
        if (serializer != null && !serializer.tryLock(timeout, unit)) {
            return null;
        }
        return openLocked();
    }

    private Session openLocked() {
        if (open.get() != null) {
            unlockSerializer();
            throw new IllegalStateException("a gradient session is already open on thread "
                    + Thread.currentThread().getName() + "; close it before opening another");
        }
        Session s = new Session(this);
        open.set(s);
        try {
            EngineGrad.setGradMode(true);
        } catch (RuntimeException | Error e) {
            open.remove();
            unlockSerializer();
            throw e;
        }
        return s;
    }

    private void unlockSerializer() {
        if (serializer != null && serializer.isHeldByCurrentThread()) {
            serializer.unlock();
        }
    }

    /** Whether the calling thread has a session of this gate open. */
    public boolean isHeldByCurrentThread() {
        return open.get() != null;
    }

    /** One backward pass with grad mode on for the opening thread. Close in {@code finally}. */
    public static final class Session implements AutoCloseable {
        private final GradientGate gate;
        private final Thread owner = Thread.currentThread();
        private boolean closed;

        private Session(GradientGate gate) {
            this.gate = gate;
        }

        /**
         * Back-propagates from {@code loss} into every leaf that requires grad; gradients
         * accumulate over several calls in one session, as with PyTorch's {@code backward()}.
         *
         * <p>If the pass fails, every gradient under the loss's root manager (the model's, for a
         * loss computed in a step scope) is zeroed before the exception propagates: a pass that
         * failed half-way must not leak into the next step, which would add to it.
         */
        public void backward(NDArray loss) {
            if (closed) {
                throw new IllegalStateException("gradient session is closed");
            }
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("a gradient session must be used on the thread that opened it");
            }
            // d loss / d loss = 1 for every element, as PtGradientCollector.backward passes it.
            NDArray ones = loss.getManager().ones(loss.getShape(), loss.getDataType());
            try {
                JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
            } catch (RuntimeException | Error e) {
                try {
                    zeroGradientsUnder(rootOf(loss.getManager()));
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                ones.close();
            }
        }

        /** Turns grad mode off for this thread and ends the session. Idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("a gradient session must be closed on the thread that opened it");
            }
            closed = true;
            try {
                // Forced off rather than restored: on dispatcher threads libtorch's default is "on",
                // and an inference forward must never record a graph.
                EngineGrad.setGradMode(false);
            } finally {
                gate.open.remove();
                gate.unlockSerializer();
            }
        }

        /**
         * The ancestor of {@code m} right under the engine's system manager (a model's manager,
         * say), or null when {@code m} is the system manager itself: its arrays belong to every
         * thread, so none of them is zeroed.
         */
        private static NDManager rootOf(NDManager m) {
            if (m.getParentManager() == null) {
                return null;
            }
            NDManager cur = m;
            while (cur.getParentManager().getParentManager() != null) {
                cur = cur.getParentManager();
            }
            return cur;
        }

        private static void zeroGradientsUnder(NDManager root) {
            if (root == null) {
                return;
            }
            for (NDArray a : root.getManagedArrays()) {
                if (a instanceof PtNDArray p && !p.isReleased() && p.hasGradient()) {
                    try (PtNDArray grad = JniUtils.getGradient(p)) {
                        if (grad != null) {
                            JniUtils.zeroGrad(p);
                        }
                    }
                }
            }
        }
    }
}
