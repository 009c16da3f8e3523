package io.ctta.runtime.model;

import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where a model's tensors live: {@code cpu}, {@code gpu:N} or {@code auto} (the first GPU when the
 * engine reports one, else the CPU). Every tensor a model creates is made on {@link #toDjl()}.
 *
 * @param type the kind of device
 * @param index the GPU ordinal ({@code 0} for cpu and auto)
 */
public record Device(Type type, int index) {

    /** The kinds of device a user can ask for. */
    public enum Type {
        /** The host CPU. */
        CPU,
        /** One CUDA GPU, by ordinal. */
        GPU,
        /** GPU 0 when available, otherwise the CPU; resolved when {@link #toDjl()} is called. */
        AUTO
    }

    /** The CPU. */
    public static final Device CPU = new Device(Type.CPU, 0);

    public Device {
        if (type == null) {
            throw new IllegalArgumentException("device type must not be null");
        }
        if (index < 0) {
            throw new IllegalArgumentException("GPU index must be >= 0, got " + index);
        }
    }

    /**
     * Parses {@code cpu}, {@code gpu:N} (N >= 0) or {@code auto}, case-insensitively.
     *
     * @throws IllegalArgumentException for anything else; the message lists the accepted forms
     */
    public static Device parse(String text) {
        if (text == null) {
            throw invalid("null");
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("auto")) {
            return new Device(Type.AUTO, 0);
        }
        if (s.startsWith("gpu:")) {
            try {
                int n = Integer.parseInt(s.substring(4));
                if (n >= 0) {
                    return new Device(Type.GPU, n);
                }
            } catch (NumberFormatException e) {
                // fall through to the uniform message below
            }
        }
        throw invalid(text);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "invalid device '" + text + "'; accepted forms: cpu, gpu:N (N >= 0, e.g. gpu:0), auto");
    }

    /**
     * The DJL device. {@code auto} asks the default engine for its GPU count each time, so the
     * answer follows the engine actually loaded.
     *
     * @throws IllegalArgumentException when a GPU is requested that the engine does not have
     */
    public ai.djl.Device toDjl() {
        switch (type) {
            case CPU:
                return ai.djl.Device.cpu();
            case AUTO:
                return Engine.getInstance().getGpuCount() > 0 ? ai.djl.Device.gpu(0) : ai.djl.Device.cpu();
            case GPU:
            default:
                int count = Engine.getInstance().getGpuCount();
                if (index >= count) {
                    throw new IllegalArgumentException("device gpu:" + index + " requested but the engine reports "
                            + count + " GPU(s); use cpu, auto or a lower index");
                }
                return ai.djl.Device.gpu(index);
        }
    }

    @Override
    public String toString() {
        return type == Type.GPU ? "gpu:" + index : type.name().toLowerCase(Locale.ROOT);
    }
}
