package io.ctta.adapters.continual;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import java.util.Map;
import java.util.Set;

/** The validated settings of the optimizer of a continual strategy, and how to build it. */
public sealed interface OptimizerSettings permits SgdSettings, AdamSettings, UpgdSettings {

    /** The optimizer's name: {@code sgd}, {@code adam} or {@code upgd}. */
    String name();

    /** The keys this optimizer reads from the strategy block. */
    Set<String> keys();

    /**
     * Builds a fresh optimizer over {@code shapes} whose state hangs under {@code parent}.
     *
     * @param seed the seed of any noise the optimizer draws
     */
    ParameterOptimizer create(NDManager parent, Map<String, Shape> shapes, long seed);
}
