package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Input normalisation applied inside the model wrapper, per channel:
 * {@code x'[c] = (x[c] * scale - mean[c]) / std[c]} (torchvision's {@code ToTensor} scaling
 * followed by {@code Normalize(mean, std)}). One mean and std apply to every channel. It is part
 * of the model's identity (see {@link ModelSpec#version()}): the same weights with another
 * preprocessing are another model.
 *
 * @param scale multiplier applied to raw values first (e.g. 1/255 for bytes)
 * @param mean value subtracted after scaling: one for all channels, or one per channel
 * @param std divisor applied last, each positive: as many as {@code mean}
 */
public record Preprocessing(float scale, float[] mean, float[] std) {

    /** Raw bytes 0..255 to the Fashion-MNIST training distribution. */
    public static final Preprocessing FASHION_MNIST = new Preprocessing(1f / 255f, 0.2860f, 0.3530f);

    /** Raw bytes 0..255 normalised as torchvision's ImageNet models expect (RGB). */
    public static final Preprocessing IMAGENET = new Preprocessing(1f / 255f, new float[] {0.485f, 0.456f, 0.406f},
            new float[] {0.229f, 0.224f, 0.225f});

    /** Leaves inputs unchanged. */
    public static final Preprocessing IDENTITY = new Preprocessing(1f, 0f, 1f);

    public Preprocessing {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("preprocessing needs as many means as stds (one, or one per channel), got mean="
                    + Arrays.toString(mean) + " std=" + Arrays.toString(std));
        }
        boolean finite = Float.isFinite(scale);
        for (int i = 0; i < mean.length; i++) {
            finite &= Float.isFinite(mean[i]) && Float.isFinite(std[i]) && std[i] > 0;
        }
        if (!finite) {
            throw new IllegalArgumentException("preprocessing needs finite scale and mean and std > 0, got scale="
                    + scale + " mean=" + Arrays.toString(mean) + " std=" + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The same mean and std for every channel. */
    public Preprocessing(float scale, float mean, float std) {
        this(scale, new float[] {mean}, new float[] {std});
    }

    /** The per-channel means (a copy). */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** The per-channel stds (a copy). */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** The number of channels this preprocessing is for, or 1 when it applies to any. */
    public int channels() {
        return mean.length;
    }

    /**
     * Returns a new array, attached to {@code x}'s manager. {@code x} is a batch whose second
     * dimension is the channel when the preprocessing is per channel.
     *
     * @throws IllegalArgumentException when per-channel values meet a batch with another channel count
     */
    public NDArray apply(NDArray x) {
        NDArray scaled = x.mul(scale);
        if (mean.length == 1) {
            return scaled.sub(mean[0]).div(std[0]);
        }
        Shape s = x.getShape();
        if (s.dimension() < 2 || s.get(1) != mean.length) {
            throw new IllegalArgumentException("per-channel preprocessing for " + mean.length
                    + " channels cannot normalise a batch of shape " + s);
        }
        long[] dims = new long[s.dimension()];
        Arrays.fill(dims, 1);
        dims[1] = mean.length;
        Shape channelShape = new Shape(dims);
        NDArray m = x.getManager().create(mean, channelShape);
        NDArray d = x.getManager().create(std, channelShape);
        return scaled.sub(m).div(d);
    }

    /** The same transform on one heap value of channel {@code c}, for tests and tools. */
    public float apply(float x, int c) {
        int i = mean.length == 1 ? 0 : c;
        return (x * scale - mean[i]) / std[i];
    }

    /** The same transform on one heap value (a single-channel preprocessing). */
    public float apply(float x) {
        return apply(x, 0);
    }

    /** A compact form for version strings: {@code scale,mean,std} or {@code scale,[m0 m1 m2],[s0 s1 s2]}. */
    public String describe() {
        if (mean.length == 1) {
            return scale + "," + mean[0] + "," + std[0];
        }
        return scale + "," + join(mean) + "," + join(std);
    }

    private static String join(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : " ").append(v[i]);
        }
        return b.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && Float.compare(scale, p.scale) == 0 && Arrays.equals(mean, p.mean)
                && Arrays.equals(std, p.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Float.hashCode(scale) + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Preprocessing[scale=" + scale + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
