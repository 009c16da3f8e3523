package io.ctta.runtime.model;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Picks a subset of a model's parameters by name and DJL {@link Parameter}. Names are the
 * model's own: {@code 03BatchNormBlock_gamma} in the built-in CNN, {@code layer1.0.bn1.weight}
 * in a TorchScript module.
 */
@FunctionalInterface
public interface ParameterSelector {

    /** Whether the parameter belongs to the selection. */
    boolean test(String name, Parameter parameter);

    /**
     * The selected names, in model order. Selectors that need the whole list (such as
     * {@link #lastLayer()}) override this.
     */
    default List<String> select(Map<String, Parameter> ordered) {
        List<String> out = new ArrayList<>();
        ordered.forEach((n, p) -> {
            if (test(n, p)) {
                out.add(n);
            }
        });
        return out;
    }

    /** Every parameter, including BN running statistics. */
    static ParameterSelector all() {
        return (n, p) -> true;
    }

    /**
     * The affine scale and shift of normalisation layers (BatchNorm, LayerNorm, GroupNorm,
     * InstanceNorm, ...): the parameters typed {@code GAMMA}/{@code BETA}. Built-in models type
     * them by construction; a TorchScript model's are typed from its module tree (the module's
     * class, or its running-statistics buffers), whatever the modules are called.
     */
    static ParameterSelector batchNormAffine() {
        return (n, p) -> p.getType() == Parameter.Type.GAMMA || p.getType() == Parameter.Type.BETA;
    }

    /** BN running mean/variance buffers. */
    static boolean isRunningStatistic(String name, Parameter p) {
        return p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR;
    }

    /** Parameters whose name starts with {@code prefix}. */
    static ParameterSelector namePrefix(String prefix) {
        return (n, p) -> n.startsWith(prefix);
    }

    /**
     * The parameters of the last layer that has a weight (the classifier head): every parameter
     * sharing the module prefix of the last {@code WEIGHT}/{@code weight} parameter.
     */
    static ParameterSelector lastLayer() {
        return new ParameterSelector() {
            @Override
            public boolean test(String name, Parameter parameter) {
                throw new UnsupportedOperationException("lastLayer() needs the whole parameter list; use select");
            }

            @Override
            public List<String> select(Map<String, Parameter> ordered) {
                String lastWeight = null;
                for (Map.Entry<String, Parameter> e : ordered.entrySet()) {
                    if (e.getValue().getType() == Parameter.Type.WEIGHT) {
                        lastWeight = e.getKey();
                    }
                }
                List<String> out = new ArrayList<>();
                if (lastWeight == null) {
                    return out;
                }
                String prefix = modulePrefix(lastWeight);
                for (String n : ordered.keySet()) {
                    if (modulePrefix(n).equals(prefix)) {
                        out.add(n);
                    }
                }
                return out;
            }

            private String modulePrefix(String name) {
                int cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('_'));
                return cut < 0 ? "" : name.substring(0, cut);
            }
        };
    }

    /** Parameters selected by this selector but not by {@code other}. */
    default ParameterSelector except(ParameterSelector other) {
        ParameterSelector self = this;
        return new ParameterSelector() {
            @Override
            public boolean test(String name, Parameter parameter) {
                return self.test(name, parameter) && !other.test(name, parameter);
            }

            @Override
            public List<String> select(Map<String, Parameter> ordered) {
                List<String> out = self.select(ordered);
                out.removeAll(other.select(ordered));
                return out;
            }
        };
    }
}
