package io.ctta.runtime.drift;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The heap-only state of a detector: named scalars and named arrays. Checkpoints store it next to
 * the model and strategy state; it holds no references into the detector (arrays are copied in
 * and out), and it is {@link Serializable}. Counters are stored as doubles, exact up to 2^53.
 *
 * @param detector the detector name it belongs to
 * @param scalars named values (counters, running sums, settings under {@code setting.*})
 * @param arrays named arrays (buckets, windows)
 */
public record DetectorState(String detector, Map<String, Double> scalars, Map<String, double[]> arrays)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public DetectorState {
        Objects.requireNonNull(detector, "detector");
        scalars = Map.copyOf(scalars);
        Map<String, double[]> copy = new LinkedHashMap<>();
        arrays.forEach((k, v) -> copy.put(k, v.clone()));
        arrays = Map.copyOf(copy);
    }

    /** The arrays, each copied. */
    @Override
    public Map<String, double[]> arrays() {
        Map<String, double[]> copy = new LinkedHashMap<>();
        arrays.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** The scalar {@code key}. @throws IllegalArgumentException if absent */
    public double scalar(String key) {
        Double v = scalars.get(key);
        if (v == null) {
            throw new IllegalArgumentException(detector + " state has no scalar '" + key + "'; it was not written by this detector");
        }
        return v;
    }

    /** A copy of the array {@code key}. @throws IllegalArgumentException if absent */
    public double[] array(String key) {
        double[] v = arrays.get(key);
        if (v == null) {
            throw new IllegalArgumentException(detector + " state has no array '" + key + "'; it was not written by this detector");
        }
        return v.clone();
    }

    /** The scalar {@code key} read back as a level ordinal. */
    DriftLevel level(String key) {
        double v = scalar(key);
        DriftLevel[] all = DriftLevel.values();
        if (v != Math.rint(v) || v < 0 || v >= all.length) {
            throw new IllegalArgumentException(detector + " state has an invalid level " + v);
        }
        return all[(int) v];
    }

    /** Equal when the name, the scalars and the array contents are equal. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DetectorState other) || !detector.equals(other.detector) || !scalars.equals(other.scalars)
                || !arrays.keySet().equals(other.arrays.keySet())) {
            return false;
        }
        for (Map.Entry<String, double[]> e : arrays.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.arrays.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = detector.hashCode() * 31 + scalars.hashCode();
        for (Map.Entry<String, double[]> e : new TreeMap<>(arrays).entrySet()) {
            h = h * 31 + e.getKey().hashCode() * 17 + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DetectorState[").append(detector).append(", scalars=").append(new TreeMap<>(scalars));
        new TreeMap<>(arrays).forEach((k, v) -> sb.append(", ").append(k).append("[").append(v.length).append("]"));
        return sb.append(']').toString();
    }

    /** Appends this state to a checkpoint section: name, then scalars and arrays in key order. */
    public void writeTo(io.ctta.runtime.checkpoint.SectionWriter out) {
        out.str(detector);
        Map<String, Double> s = new TreeMap<>(scalars);
        out.i32(s.size());
        s.forEach((k, v) -> out.str(k).f64(v));
        Map<String, double[]> a = new TreeMap<>(arrays);
        out.i32(a.size());
        a.forEach((k, v) -> out.str(k).doubles(v));
    }

    /** Reads a state appended by {@link #writeTo}. @throws IllegalArgumentException when it is malformed */
    public static DetectorState readFrom(io.ctta.runtime.checkpoint.SectionReader in) {
        String detector = in.str();
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (int i = in.count(12); i > 0; i--) {
            scalars.put(in.str(), in.f64());
        }
        Map<String, double[]> arrays = new LinkedHashMap<>();
        for (int i = in.count(8); i > 0; i--) {
            arrays.put(in.str(), in.doubles());
        }
        return new DetectorState(detector, scalars, arrays);
    }

    /** Collects scalars and arrays; used by detectors to write their state. */
    static final class Builder {
        private final String detector;
        private final Map<String, Double> scalars = new LinkedHashMap<>();
        private final Map<String, double[]> arrays = new LinkedHashMap<>();

        Builder(String detector) {
            this.detector = detector;
        }

        Builder put(String key, double value) {
            scalars.put(key, value);
            return this;
        }

        Builder put(String key, double[] value) {
            arrays.put(key, value);
            return this;
        }

        DetectorState build() {
            return new DetectorState(detector, scalars, arrays);
        }
    }

    /** Throws unless this state is {@code name}'s and its {@code setting.*} scalars equal {@code settings}'. */
    void requireCompatible(String name, Map<String, Double> settings) {
        if (!detector.equals(name)) {
            throw new IllegalArgumentException("cannot restore a '" + detector + "' state into a '" + name + "' detector");
        }
        for (Map.Entry<String, Double> e : settings.entrySet()) {
            Double v = scalars.get("setting." + e.getKey());
            if (v == null || Double.compare(v, e.getValue()) != 0) {
                throw new IllegalArgumentException("cannot restore " + name + " state: it was written with " + e.getKey() + " = "
                        + v + " but this detector has " + e.getValue() + "; create the detector with the settings of the checkpoint");
            }
        }
    }
}
