package io.ctta.runtime.adapt;

import io.ctta.runtime.checkpoint.SectionReader;
import io.ctta.runtime.checkpoint.SectionWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The adaptation state of a strategy whose state is a small part of its model (normalisation
 * statistics, normalisation affine parameters, small meta networks), so that one shared network can
 * serve many streams, each with its own state ({@code scope = key}, docs/scopes.md): the runtime
 * captures the state of one key, loads another's, and resets to the source state, many times a
 * batch; everything else of the network (its frozen weights) is shared and never touched.
 *
 * <p>Contract: after {@code load(s)} the strategy predicts and adapts exactly (bit for bit) as the
 * strategy that {@code s} was captured from would have; {@code resetToSource()} makes it the
 * strategy just created. A strategy that offers this learns only from the unlabelled stream: its
 * {@link AdaptationStrategy#learn} does nothing (labels carry no key state).
 *
 * <p>Not thread-safe: called on the thread that owns the strategy, between its calls.
 */
public interface KeyScopedState {

    /** The current per-key state as a compact heap value (no native handle). */
    StrategyState capture();

    /** Makes {@code state} (from {@link #capture()} of a strategy of the same name and model) the current one. */
    void load(StrategyState state);

    /** Returns to the state the strategy was created with, as a key seen for the first time gets. */
    void resetToSource();

    /**
     * The capability of a strategy whose {@link AdaptationStrategy#snapshot()} already holds only its
     * small adapted part (the frozen network is not in it): capture, load and reset are snapshot,
     * restore and reset.
     */
    static KeyScopedState bySnapshot(AdaptationStrategy strategy) {
        return new KeyScopedState() {
            @Override
            public StrategyState capture() {
                return strategy.snapshot();
            }

            @Override
            public void load(StrategyState state) {
                strategy.restore(state);
            }

            @Override
            public void resetToSource() {
                strategy.reset();
            }
        };
    }

    /** The bytes a state takes on the heap: its float data, 8 per scalar. Names and shapes are not counted. */
    static long bytes(StrategyState state) {
        long b = 8L * state.scalars().size();
        for (StrategyState.Tensor t : state.tensors().values()) {
            b += 4L * t.data().length;
        }
        return b;
    }

    /** The section kind of an encoded key state. */
    String KIND = "key-state";

    /** Encodes a state (exact: floats and doubles by their bits), tensors and scalars in name order. */
    static byte[] encode(StrategyState state) {
        SectionWriter w = new SectionWriter(KIND, 1).str(state.strategy()).i64(state.modelVersion());
        Map<String, StrategyState.Tensor> tensors = new TreeMap<>(state.tensors());
        w.i32(tensors.size());
        tensors.forEach((name, t) -> {
            w.str(name);
            long[] shape = t.shape();
            w.i32(shape.length);
            for (long d : shape) {
                w.i64(d);
            }
            w.floats(t.data());
        });
        Map<String, Double> scalars = new TreeMap<>(state.scalars());
        w.i32(scalars.size());
        scalars.forEach((name, v) -> w.str(name).f64(v));
        return w.toBytes();
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @throws IllegalArgumentException when the bytes are not an encoded key state
     */
    static StrategyState decode(byte[] bytes) {
        SectionReader r = new SectionReader(bytes, KIND, 1);
        String strategy = r.str();
        long version = r.i64();
        int n = r.count(12);
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = r.str();
            int rank = r.count(8);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = r.i64();
            }
            tensors.put(name, new StrategyState.Tensor(shape, r.floats()));
        }
        int m = r.count(12);
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (int i = 0; i < m; i++) {
            scalars.put(r.str(), r.f64());
        }
        r.end();
        return new StrategyState(strategy, version, tensors, scalars);
    }
}
