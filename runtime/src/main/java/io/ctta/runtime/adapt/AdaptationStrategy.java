package io.ctta.runtime.adapt;

import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.PrequentialStep;

/**
 * An online adaptation method bound to one model it alone owns.
 *
 * <p>Lifecycle: created by a {@link StrategyProvider} with a model it takes ownership of, then
 * {@code predict}* (test-time strategies adapt inside it) and {@code learn}* (labelled feedback)
 * interleaved, {@code snapshot}/{@code restore} at any point between calls, {@code reset} to
 * return to the state it was created with, and finally {@code close}, which frees the model's
 * native memory.
 *
 * <p>Threading: not thread-safe. One instance is confined to one model actor and called by one
 * thread at a time; never share an instance between streams.
 *
 * <p>Native memory: every NDArray created for a call is released before the call returns;
 * arguments and results live on the Java heap.
 */
public interface AdaptationStrategy extends AutoCloseable {

    /** The registered name of this strategy ({@code source}, {@code tent}, ...). */
    String name();

    /**
     * Predicts the batch with the current model and then, for test-time strategies, adapts on it.
     * The returned probabilities come from the forward pass made before this batch's update.
     */
    ModelOutput predict(InputBatch batch);

    /**
     * Learns from labelled examples (continual strategies). {@code labels[i]} belongs to sample i.
     * The default ignores feedback: test-time strategies do not use labels.
     */
    default io.ctta.runtime.data.StepOutcome learn(InputBatch batch, int[] labels) {
        return io.ctta.runtime.data.StepOutcome.none();
    }

    /**
     * The online-learning step of a labelled batch: the prediction made before the update (what
     * prequential evaluation scores), then the update from the labels, as {@code predict} followed
     * by {@code learn} on the same batch. The output carries the learning step's outcome (or, when
     * {@code learn} does nothing, the prediction's). A strategy may answer both from one forward
     * pass where the two would compute the same logits (the continual learners at batch sizes that
     * keep BatchNorm in eval mode), which saves a forward per step.
     *
     * @throws IllegalArgumentException when {@code labels.length != batch.size()}
     */
    default ModelOutput predictAndLearn(InputBatch batch, int[] labels) {
        PrequentialStep step = prequentialStep(batch, labels);
        io.ctta.runtime.data.StepOutcome learned = step.learned();
        return learned.kind() == io.ctta.runtime.data.StepOutcome.Kind.NONE ? step.prediction()
                : step.prediction().withStep(learned);
    }

    /**
     * {@link #predictAndLearn}'s step with its two outcomes apart: the prediction with
     * {@code predict}'s own outcome, and {@code learn}'s. This is the method to override (the
     * default is {@code predict} then {@code learn}); {@code predictAndLearn} is built on it.
     *
     * @throws IllegalArgumentException when {@code labels.length != batch.size()}
     */
    default PrequentialStep prequentialStep(InputBatch batch, int[] labels) {
        ModelOutput out = predict(batch);
        return new PrequentialStep(out, learn(batch, labels));
    }

    /** The number of parameter updates applied so far; published with each prediction. */
    long modelVersion();

    /**
     * Bytes of native memory this strategy holds between calls (its models' parameters, optimizer
     * state, teachers), or -1 when it does not say. A gauge for operators, sampled now and then.
     */
    default long nativeBytes() {
        return -1;
    }

    /**
     * What plasticity diagnostics of the model being served (dead units, effective rank of the
     * penultimate features, mean weight magnitude) are measured from, taken on {@code probe}
     * without changing anything; empty when the strategy does not say. Sampled now and then by the
     * runtime, which measures them ({@code Features.measure}) off the model's thread.
     */
    default java.util.Optional<io.ctta.runtime.diagnostics.Plasticity.Features> plasticity(InputBatch probe) {
        return java.util.Optional.empty();
    }

    /**
     * The batch mean entropy (nats) the runtime's collapse guard watches after {@code out} was
     * predicted: by default that of the published probabilities. A strategy whose published output
     * is not the adapted model's own (an ensemble, a corrected output) reports the adapted model's.
     */
    default double collapseEntropy(ModelOutput out) {
        double h = 0;
        for (int i = 0; i < out.size(); i++) {
            h += out.entropy(i);
        }
        return h / out.size();
    }

    /**
     * Per-key adaptation state over the shared network ({@code scope = key}, docs/scopes.md), for a
     * strategy whose state is a small part of its model; empty (the default) when it cannot offer
     * it. Must agree with {@link StrategyProvider#supportsKeyScope()}.
     */
    default java.util.Optional<KeyScopedState> keyScopedState() {
        return java.util.Optional.empty();
    }

    /** Captures the whole adaptation state (parameters and strategy state) on the heap. */
    StrategyState snapshot();

    /** Restores a state captured by {@link #snapshot()} of a strategy of the same name and model. */
    void restore(StrategyState state);

    /** Returns to the state the strategy was created with (source weights, fresh optimizer). */
    void reset();

    /** Frees the model and every native resource this strategy owns. Idempotent. */
    @Override
    void close();
}
