package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * 0-dimensional float32 tensors for an optimizer's constants (β, 1−β, ε, ...). Why: DJL turns
 * {@code a.muli(0.9f)} into three native calls (create the scalar, multiply, free it); a tensor
 * made once turns it into one. Values are the float32 the {@code Number} overloads would create,
 * so updates stay bit for bit what they were.
 */
final class Scalars {

    private Scalars() {}

    /** A long-lived scalar in {@code manager} (an optimizer's state manager), safe from step scopes. */
    static NDArray constant(NDManager manager, float value) {
        NDArray a = manager.create(value);
        NDScope.unregister(a);
        return a;
    }
}
