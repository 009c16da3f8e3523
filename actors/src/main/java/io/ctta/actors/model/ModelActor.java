package io.ctta.actors.model;

import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The only owner of one pipeline's model and adaptation strategy.
 *
 * <p>It runs on {@link #DISPATCHER}, a dedicated thread pool, because every message does native,
 * blocking work (forward and backward passes); on the default dispatcher it would starve the
 * Kafka stages and the HTTP server. Batches arrive and predictions leave as heap values: no
 * NDArray crosses the actor boundary, and every array made for a batch is freed inside the
 * strategy call that made it.
 *
 * <p>The strategy is built inside the actor (so on its dispatcher thread) and closed both on stop
 * and before a supervised restart, so a crash never leaks the model's native memory.
 */
public final class ModelActor extends AbstractBehavior<ModelActor.Command> {

    /** The config path of the dispatcher model actors must run on. */
    public static final String DISPATCHER = "ctta-model-dispatcher";

    /** What a model actor accepts. */
    public sealed interface Command permits Predict {}

    /** Predict a batch, then let the strategy adapt on it; the reply carries the predictions. */
    public record Predict(InputBatch batch, ActorRef<Result> replyTo) implements Command {}

    /** The reply to {@link Predict}. */
    public sealed interface Result permits Predicted, Failed {}

    /**
     * The predictions for a batch.
     *
     * @param output probabilities, model version and what adaptation did
     * @param serviceNanos time spent in the strategy for this batch
     */
    public record Predicted(ModelOutput output, long serviceNanos) implements Result {}

    /** The batch could not be served; the actor restarts with a fresh strategy after replying. */
    public record Failed(String reason) implements Result {}

    /** Props that put an actor on the model dispatcher. */
    public static DispatcherSelector dispatcher() {
        return DispatcherSelector.fromConfig(DISPATCHER);
    }

    /**
     * @param strategyFactory builds the model and strategy; called on the actor's own thread at
     *     start and after every restart
     */
    public static Behavior<Command> create(Supplier<AdaptationStrategy> strategyFactory) {
        return Behaviors.setup(ctx -> new ModelActor(ctx, strategyFactory.get()));
    }

    private final AdaptationStrategy strategy;

    private ModelActor(ActorContext<Command> context, AdaptationStrategy strategy) {
        super(context);
        this.strategy = strategy;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Predict.class, this::onPredict)
                .onSignal(PostStop.class, this::release)
                .onSignal(PreRestart.class, this::release)
                .build();
    }

    private Behavior<Command> onPredict(Predict msg) {
        long start = System.nanoTime();
        ModelOutput out;
        try {
            out = strategy.predict(msg.batch());
        } catch (RuntimeException e) {
            msg.replyTo().tell(new Failed(strategy.name() + " failed on a batch of " + msg.batch().size() + ": " + e));
            // Let the supervisor restart us: the strategy's state may be half-updated.
            throw e;
        }
        msg.replyTo().tell(new Predicted(out, System.nanoTime() - start));
        return this;
    }

    private Behavior<Command> release(Signal signal) {
        strategy.close();
        return this;
    }
}
