package io.ctta.actors.model;

import io.ctta.runtime.model.IntraOpThreads;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;

/**
 * Applies the model's operator thread count ({@code ctta.model.intra-op-threads}) on the thread
 * that is about to run the model actor: before it starts (the strategy, and with it the model, is
 * built there) and before every message. The setting is per thread in libtorch, and the model
 * dispatcher's threads are pooled, so an actor may run its next message on another thread; the
 * check costs one native call when nothing changes.
 */
public final class IntraOpThreadsInterceptor<T> extends BehaviorInterceptor<T, T> {

    private final IntraOpThreads threads;

    public IntraOpThreadsInterceptor(IntraOpThreads threads, Class<T> messageClass) {
        super(messageClass);
        this.threads = threads;
    }

    @Override
    public Behavior<T> aroundStart(TypedActorContext<T> ctx, PreStartTarget<T> target) {
        threads.applyToCurrentThread();
        return target.start(ctx);
    }

    @Override
    public Behavior<T> aroundReceive(TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
        threads.applyToCurrentThread();
        return target.apply(ctx, msg);
    }

    @Override
    public boolean isSame(BehaviorInterceptor<Object, Object> other) {
        return other instanceof IntraOpThreadsInterceptor<?> o && o.threads.equals(threads);
    }
}
