package io.ctta.adapters.support;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an optimizer needs from a strategy's trainable parameters. */
public final class ParameterLists {

    private ParameterLists() {}

    /** Name to shape, in the order of {@code names} ({@code params} in the same order). */
    public static Map<String, Shape> shapes(List<String> names, List<Parameter> params) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            shapes.put(names.get(i), params.get(i).getArray().getShape());
        }
        return shapes;
    }

    /** The parameters' current arrays (the weights an optimizer step updates in place). */
    public static List<NDArray> arrays(List<Parameter> params) {
        List<NDArray> out = new ArrayList<>(params.size());
        for (Parameter p : params) {
            out.add(p.getArray());
        }
        return out;
    }
}
