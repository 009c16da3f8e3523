package io.ctta.runtime.adapt;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.ctta.runtime.internal.EngineGrad;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM-wide gate around DJL's gradient collector.
 *
 * <p>Why: the PyTorch engine's {@code PtGradientCollector} keeps a <em>static</em> "collecting"
 * flag, so two threads that open collectors at once fail, and a failed open leaves grad mode on
 * for that thread (docs/memory-management.md). Every backward pass in the process therefore runs inside one
 * {@link Session} of the same gate; inference never takes it. Obtain the process instance with
 * {@link #shared()} and inject it; tests may use {@link #create()} only when nothing else in the
 * JVM records gradients at the same time.
 *
 * <p>A session must be opened and closed on the same thread, inside one message.
 */
public final class GradientGate {

    private static final GradientGate SHARED = new GradientGate();

    private final ReentrantLock lock = new ReentrantLock(true);

    private GradientGate() {}

    /** The one gate of this JVM (a constant; the gate's lock is its only state). */
    public static GradientGate shared() {
        return SHARED;
    }

    /** A separate gate, for isolated tests. */
    public static GradientGate create() {
        return new GradientGate();
    }

    /**
     * Waits for the gate, then opens a gradient collector with grad mode on.
     *
     * @throws IllegalStateException if the collector cannot be opened (e.g. code outside the gate
     *     is collecting); the lock is released and grad mode reset before it propagates
     */
    public Session open() {
        lock.lock();
        return openLocked();
    }

    /** As {@link #open()} but gives up after {@code timeout}; returns null then. */
    public Session tryOpen(long timeout, TimeUnit unit) throws InterruptedException {
        if (!lock.tryLock(timeout, unit)) {
            return null;
        }
        return openLocked();
    }

    private Session openLocked() {
        try {
            return new Session(this, Engine.getInstance().newGradientCollector());
        } catch (RuntimeException | Error e) {
            EngineGrad.setGradMode(false);
            lock.unlock();
            throw e;
        }
    }

    /** Whether the calling thread holds the gate. */
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** One backward pass: the gate held, a collector open, grad mode on. Close in {@code finally}. */
    public static final class Session implements AutoCloseable {
        private final GradientGate gate;
        private final GradientCollector collector;
        private final Thread owner = Thread.currentThread();
        private boolean closed;

        private Session(GradientGate gate, GradientCollector collector) {
            this.gate = gate;
            this.collector = collector;
        }

        /** Back-propagates from {@code loss} (a scalar) into every parameter that requires grad. */
        public void backward(NDArray loss) {
            if (closed) {
                throw new IllegalStateException("gradient session is closed");
            }
            collector.backward(loss);
        }

        /** Closes the collector, turns grad mode off and releases the gate. Idempotent. */
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
                collector.close();
            } finally {
                // The collector only restores grad mode to what it found; on dispatcher threads that
                // was "on" (the libtorch default), so force it off explicitly.
                EngineGrad.setGradMode(false);
                gate.lock.unlock();
            }
        }
    }
}
