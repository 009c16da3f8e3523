package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A built-in model as a {@link Network}: a DJL sequence of blocks whose last block is the
 * classifier head. Its layers are its stages, the input of the head is its features, and its
 * BatchNorm layers ({@link BatchNormBlock}) honour every {@link ForwardMode}, BN-α included.
 */
final class BlockNetwork implements Network {

    private final Block block;
    private final ParameterStore store;
    private final BatchNormBlock.Mode bnMode;
    private final Map<String, Parameter> parameters;
    private final List<Block> children;
    private final java.util.Set<String> buffers;

    /**
     * @param bnMode the mode holder shared with the model's BatchNorm blocks, or null when it has none
     */
    BlockNetwork(Block block, ParameterStore store, BatchNormBlock.Mode bnMode) {
        this.block = block;
        this.store = store;
        this.bnMode = bnMode;
        Map<String, Parameter> named = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            named.put(p.getKey(), p.getValue());
        }
        this.parameters = Collections.unmodifiableMap(named);
        this.children = block.getChildren().values();
        java.util.Set<String> b = new java.util.LinkedHashSet<>();
        named.forEach((n, p) -> {
            if (ParameterSelector.isRunningStatistic(n, p)) {
                b.add(n);
            }
        });
        this.buffers = java.util.Collections.unmodifiableSet(b);
    }

    @Override
    public java.util.Set<String> buffers() {
        return buffers;
    }

    @Override
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    @Override
    public List<String> methods() {
        return List.of();
    }

    @Override
    public boolean supportsMixedStatistics() {
        return bnMode != null;
    }

    @Override
    public NDArray forward(NDArray x, ForwardMode mode, float batchStatsWeight) {
        enter(mode, batchStatsWeight);
        try {
            return block.forward(store, new NDList(x), mode == ForwardMode.TRAIN, null).singletonOrThrow();
        } finally {
            enter(ForwardMode.EVAL, 1f);
        }
    }

    @Override
    public NDList forwardWithFeatures(NDArray x, ForwardMode mode) {
        enter(mode, 1f);
        try {
            NDList current = new NDList(x);
            for (int i = 0; i < children.size() - 1; i++) {
                current = children.get(i).forward(store, current, mode == ForwardMode.TRAIN, null);
            }
            NDArray features = current.singletonOrThrow();
            NDArray logits = children.get(children.size() - 1).forward(store, current, mode == ForwardMode.TRAIN, null)
                    .singletonOrThrow();
            return new NDList(features, logits);
        } finally {
            enter(ForwardMode.EVAL, 1f);
        }
    }

    @Override
    public ModelStages stages() {
        int n = children.size() - 1;
        return new ModelStages() {
            @Override
            public int count() {
                return n;
            }

            @Override
            public NDArray run(int k, NDArray x) {
                if (k < 1 || k > n) {
                    throw new IndexOutOfBoundsException("stage " + k + " of 1.." + n);
                }
                return children.get(k - 1).forward(store, new NDList(x), false, null).singletonOrThrow();
            }

            @Override
            public NDArray classify(NDArray features) {
                return children.get(n).forward(store, new NDList(features), false, null).singletonOrThrow();
            }
        };
    }

    @Override
    public void settle() {
        // Batch statistics never touch the running buffers here (BatchNormBlock uses copies).
    }

    @Override
    public void close() {
        // The block's parameters belong to the model's manager, which the model closes.
    }

    private void enter(ForwardMode mode, float alpha) {
        if (bnMode != null) {
            bnMode.mode = mode;
            bnMode.alpha = alpha;
        }
    }
}
