package io.ctta.adapters.rmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.memory.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * RMT's projection head {@code Linear(d → p) → ReLU → Linear(p → p)} (as in the reference {@code methods/rmt.py}), as four
 * trainable arrays in its own manager (a sub-manager of the student's). Initialised like PyTorch's
 * {@code nn.Linear}: weights and biases uniform in {@code ±1/sqrt(fan_in)}, from a seed.
 */
final class Projector implements AutoCloseable {

    static final List<String> NAMES = List.of("w1", "b1", "w2", "b2");

    private final NDManager manager;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private boolean closed;

    Projector(NDManager parent, int in, int dim, long seed) {
        this.manager = parent.newSubManager();
        SplittableRandom rnd = new SplittableRandom(seed);
        add("w1", new Shape(dim, in), in, rnd);
        add("b1", new Shape(dim), in, rnd);
        add("w2", new Shape(dim, dim), dim, rnd);
        add("b2", new Shape(dim), dim, rnd);
    }

    private void add(String name, Shape shape, int fanIn, SplittableRandom rnd) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        NDArray a = manager.create(v, shape);
        // Long-lived: never let an enclosing step scope take it.
        NDScope.unregister(a);
        a.setRequiresGradient(true);
        arrays.put(name, a);
    }

    /** (N x d) → (N x p); the results attach to {@code x}'s (per-step) manager. */
    NDArray forward(NDArray x) {
        NDArray h = Activation.relu(x.matMul(arrays.get("w1").transpose()).add(arrays.get("b1")));
        return h.matMul(arrays.get("w2").transpose()).add(arrays.get("b2"));
    }

    List<NDArray> weights() {
        return new ArrayList<>(arrays.values());
    }

    Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.getShape()));
        return out;
    }

    Map<String, StrategyState.Tensor> export() {
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, new StrategyState.Tensor(v.getShape().getShape(), v.toFloatArray())));
        return out;
    }

    /**
     * Writes values in place. Takes the caller's open step as proof that grad mode is off: libtorch
     * refuses in-place writes into leaves that require grad while it is on.
     */
    void load(Map<String, StrategyState.Tensor> values, StepScope openStep) {
        openStep.manager(); // throws if the step is already closed
        for (String n : NAMES) {
            StrategyState.Tensor t = values.get(n);
            if (t == null) {
                throw new IllegalArgumentException("projector state lacks '" + n + "'");
            }
            if (!Arrays.equals(t.shape(), arrays.get(n).getShape().getShape())) {
                throw new IllegalArgumentException("projector state '" + n + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + arrays.get(n).getShape());
            }
        }
        for (String n : NAMES) {
            io.ctta.runtime.memory.InPlace.write(arrays.get(n), values.get(n).data());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
