package io.ctta.runtime.adapt;

import java.util.Map;
import java.util.Objects;

/**
 * The heap-only state of a strategy: named tensors (parameters, optimizer moments, teacher
 * weights...) as float arrays with their shapes, plus scalar counters. It is what checkpoints
 * serialise, so it holds no native handles.
 *
 * @param strategy the strategy name it belongs to
 * @param modelVersion the update count at the time of the snapshot
 * @param tensors named tensors
 * @param scalars named scalar values (step counters, RNG seeds...)
 */
public record StrategyState(String strategy, long modelVersion, Map<String, Tensor> tensors, Map<String, Double> scalars) {

    public StrategyState {
        Objects.requireNonNull(strategy, "strategy");
        tensors = Map.copyOf(tensors);
        scalars = Map.copyOf(scalars);
    }

    /** A named float32 tensor on the heap. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            shape = shape.clone();
            data = data.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public float[] data() {
            return data.clone();
        }
    }
}
