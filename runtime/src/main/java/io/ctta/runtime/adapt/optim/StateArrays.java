package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.StrategyState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named zero-initialised state arrays of one kind (e.g. Adam's first moments), in one manager.
 *
 * <p>Snapshots name each array {@code "<kind>/<parameter>"}; the static {@link #export(String, Map)}
 * and {@link #loadAll} apply that format to state arrays held elsewhere (the regularizers').
 */
public final class StateArrays {

    private final String kind;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    StateArrays(String kind, NDManager manager, Map<String, Shape> shapes) {
        this.kind = kind;
        shapes.forEach((name, shape) -> {
            NDArray a = manager.zeros(shape);
            // Never let an enclosing step scope take optimizer state with it.
            NDScope.unregister(a);
            arrays.put(name, a);
        });
    }

    NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("optimizer has no state for parameter '" + name + "'");
        }
        return a;
    }

    void export(Map<String, StrategyState.Tensor> out) {
        exportInto(kind, arrays, out);
    }

    void load(Map<String, StrategyState.Tensor> in) {
        arrays.forEach((n, a) -> {
            StrategyState.Tensor t = in.get(kind + "/" + n);
            if (t == null) {
                throw new IllegalArgumentException("optimizer state lacks '" + kind + "/" + n + "'");
            }
            if (!Arrays.equals(t.shape(), a.getShape().getShape())) {
                throw new IllegalArgumentException("optimizer state '" + kind + "/" + n + "' has shape "
                        + Arrays.toString(t.shape()) + ", expected " + a.getShape());
            }
            io.ctta.runtime.memory.InPlace.write(a, t.data());
        });
    }

    void zero() {
        arrays.values().forEach(io.ctta.runtime.memory.InPlace::zero);
    }

    /** Every array as a heap tensor named {@code "<kind>/<name>"}, in map order. */
    public static Map<String, StrategyState.Tensor> export(String kind, Map<String, NDArray> arrays) {
        Map<String, StrategyState.Tensor> out = new LinkedHashMap<>();
        exportInto(kind, arrays, out);
        return out;
    }

    private static void exportInto(String kind, Map<String, NDArray> arrays, Map<String, StrategyState.Tensor> out) {
        arrays.forEach((n, a) -> out.put(kind + "/" + n, new StrategyState.Tensor(a.getShape().getShape(),
                a.toFloatArray())));
    }

    /**
     * Sets every array from its {@code "<kind>/<name>"} tensor in {@code in}, all or nothing: nothing
     * is set when a tensor has the wrong shape, or when any are missing (then the error names them
     * all: {@code "<owner> state lacks [...]"}).
     *
     * @throws IllegalArgumentException on a wrong shape or missing tensors
     */
    public static void loadAll(String owner, String kind, Map<String, NDArray> arrays,
            Map<String, StrategyState.Tensor> in) {
        List<String> missing = new ArrayList<>();
        arrays.forEach((n, a) -> {
            StrategyState.Tensor t = in.get(kind + "/" + n);
            if (t == null) {
                missing.add(kind + "/" + n);
            } else if (!Arrays.equals(t.shape(), a.getShape().getShape())) {
                throw new IllegalArgumentException("state '" + kind + "/" + n + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + a.getShape());
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(owner + " state lacks " + missing);
        }
        arrays.forEach((n, a) -> io.ctta.runtime.memory.InPlace.write(a, in.get(kind + "/" + n).data()));
    }
}
