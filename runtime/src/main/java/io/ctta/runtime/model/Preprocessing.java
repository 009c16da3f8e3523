package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;

/**
 * Input normalisation applied inside the model wrapper: {@code x' = (x * scale - mean) / std}.
 * It is part of the model's identity (see {@link ModelSpec#version()}): the same weights with
 * another preprocessing are another model.
 *
 * @param scale multiplier applied to raw values first (e.g. 1/255 for bytes)
 * @param mean value subtracted after scaling
 * @param std divisor applied last; must be positive
 */
public record Preprocessing(float scale, float mean, float std) {

    /** Raw bytes 0..255 to the Fashion-MNIST training distribution. */
    public static final Preprocessing FASHION_MNIST = new Preprocessing(1f / 255f, 0.2860f, 0.3530f);

    /** Leaves inputs unchanged. */
    public static final Preprocessing IDENTITY = new Preprocessing(1f, 0f, 1f);

    public Preprocessing {
        if (!Float.isFinite(scale) || !Float.isFinite(mean) || !Float.isFinite(std) || std <= 0) {
            throw new IllegalArgumentException("preprocessing needs finite scale and mean and std > 0, got scale="
                    + scale + " mean=" + mean + " std=" + std);
        }
    }

    /** Returns a new array {@code (x * scale - mean) / std}, attached to {@code x}'s manager. */
    public NDArray apply(NDArray x) {
        return x.mul(scale).sub(mean).div(std);
    }

    /** The same transform on one heap value, for tests and tools. */
    public float apply(float x) {
        return (x * scale - mean) / std;
    }
}
