package io.ctta.runtime.checkpoint;

import io.ctta.runtime.adapt.StrategyState;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One checkpoint of a model actor: everything needed to resume a pipeline exactly where it left
 * off. It is heap-only and immutable: tensors are the float arrays of {@link StrategyState}, blobs
 * are copied in and out.
 *
 * <p>It holds parameter tensors only, never a TorchScript module (a model file is code; it is
 * loaded from the configured, hash-pinned model file and the checkpoint's tensors are written into
 * it).
 *
 * @param formatVersion the file format version; {@link CheckpointFormat#VERSION} for new
 *     checkpoints (files are only ever written in the current version)
 * @param pipeline the pipeline name; also the store's directory name, so it is a plain name:
 *     letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or digit, at most
 *     101 characters (the rule pipeline names follow in the configuration)
 * @param strategy the strategy name; must equal {@code state.strategy()}
 * @param ownerEpoch the epoch the writing owner claimed with {@link CheckpointStore#claimEpoch()};
 *     a store refuses a checkpoint from an owner whose epoch has been superseded
 * @param sequence increases with every checkpoint of one owner; orders checkpoints of the same
 *     epoch
 * @param offsets the next offset to consume, per topic and partition (the Kafka convention: the
 *     offset of the first record <em>not</em> reflected in this state)
 * @param state parameter tensors and strategy state (optimizer moments, teacher, traces, memories)
 * @param extra named opaque blobs serialised by their owners: detector state, RNG state, evaluator
 *     windows...
 * @param recordsApplied how many records the state reflects in total (for metrics and logs)
 * @param configHash a hash of the configuration that produced the state; a restore compares it
 *     with the running configuration and decides what a mismatch means
 * @param createdAtMs wall-clock creation time, epoch milliseconds (informational only)
 */
public record Checkpoint(int formatVersion, String pipeline, String strategy, long ownerEpoch, long sequence,
        Map<String, Map<Integer, Long>> offsets, StrategyState state, Map<String, byte[]> extra,
        long recordsApplied, String configHash, long createdAtMs) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,100}");

    /**
     * Validates and copies every argument.
     *
     * @throws IllegalArgumentException naming the field that is invalid
     */
    public Checkpoint {
        if (formatVersion < 1) {
            throw new IllegalArgumentException("formatVersion must be >= 1, got " + formatVersion);
        }
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(offsets, "offsets");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(extra, "extra");
        Objects.requireNonNull(configHash, "configHash");
        requireName(pipeline);
        if (!strategy.equals(state.strategy())) {
            throw new IllegalArgumentException("strategy is '" + strategy + "' but the state belongs to '"
                    + state.strategy() + "'");
        }
        if (ownerEpoch < 1) {
            throw new IllegalArgumentException("ownerEpoch must be >= 1 (claimed with CheckpointStore.claimEpoch()), got "
                    + ownerEpoch);
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
        }
        if (recordsApplied < 0) {
            throw new IllegalArgumentException("recordsApplied must be >= 0, got " + recordsApplied);
        }
        Map<String, Map<Integer, Long>> o = new TreeMap<>();
        for (Map.Entry<String, Map<Integer, Long>> t : offsets.entrySet()) {
            String topic = Objects.requireNonNull(t.getKey(), "offsets: topic");
            Objects.requireNonNull(t.getValue(), () -> "offsets of topic '" + topic + "'");
            Map<Integer, Long> parts = new TreeMap<>();
            for (Map.Entry<Integer, Long> p : t.getValue().entrySet()) {
                Integer partition = Objects.requireNonNull(p.getKey(), () -> "offsets of topic '" + topic + "': partition");
                Long next = Objects.requireNonNull(p.getValue(), () -> "offset of " + topic + "-" + partition);
                if (partition < 0 || next < 0) {
                    throw new IllegalArgumentException("offset of " + topic + "-" + partition
                            + " must have partition >= 0 and next offset >= 0, got " + next);
                }
                parts.put(partition, next);
            }
            o.put(topic, Collections.unmodifiableMap(parts));
        }
        offsets = Collections.unmodifiableMap(o);
        Map<String, byte[]> x = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : extra.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "extra: name");
            x.put(name, Objects.requireNonNull(e.getValue(), () -> "extra '" + name + "'").clone());
        }
        extra = Collections.unmodifiableMap(x);
    }

    /** A checkpoint in the current format version. */
    public static Checkpoint of(String pipeline, long ownerEpoch, long sequence,
            Map<String, Map<Integer, Long>> offsets, StrategyState state, Map<String, byte[]> extra,
            long recordsApplied, String configHash, long createdAtMs) {
        return new Checkpoint(CheckpointFormat.VERSION, pipeline, state.strategy(), ownerEpoch, sequence, offsets,
                state, extra, recordsApplied, configHash, createdAtMs);
    }

    /**
     * Whether this checkpoint was written by a build that stores the pipeline's state beyond the
     * model in {@link #extra} (format version 2 on): then an absent part was absent from the
     * pipeline. A version 1 checkpoint predates that: its reader starts those parts fresh.
     */
    public boolean carriesPipelineState() {
        return formatVersion >= 2;
    }

    /** The extra blobs; each array is a fresh copy. */
    @Override
    public Map<String, byte[]> extra() {
        Map<String, byte[]> copy = new TreeMap<>();
        extra.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /** One extra blob (a fresh copy), or {@code null} when absent. */
    public byte[] extra(String name) {
        byte[] b = extra.get(name);
        return b == null ? null : b.clone();
    }

    /** The next offset of one partition, or {@code null} when the checkpoint has none for it. */
    public Long nextOffset(String topic, int partition) {
        Map<Integer, Long> p = offsets.get(topic);
        return p == null ? null : p.get(partition);
    }

    /** Shared, uncopied view for the encoder. */
    Map<String, byte[]> extraView() {
        return extra;
    }

    /** Equal field by field, with array contents compared bit for bit (floats by their raw bits). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Checkpoint c)) {
            return false;
        }
        return formatVersion == c.formatVersion && ownerEpoch == c.ownerEpoch && sequence == c.sequence
                && recordsApplied == c.recordsApplied && createdAtMs == c.createdAtMs
                && pipeline.equals(c.pipeline) && strategy.equals(c.strategy) && configHash.equals(c.configHash)
                && offsets.equals(c.offsets) && extraEquals(extra, c.extra) && stateEquals(state, c.state);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pipeline, strategy, ownerEpoch, sequence, offsets, recordsApplied);
    }

    @Override
    public String toString() {
        return "Checkpoint[pipeline=" + pipeline + ", strategy=" + strategy + ", epoch=" + ownerEpoch
                + ", sequence=" + sequence + ", offsets=" + offsets + ", tensors=" + state.tensors().size()
                + ", extra=" + extra.keySet() + ", recordsApplied=" + recordsApplied + "]";
    }

    static void requireName(String pipeline) {
        if (!NAME.matcher(pipeline).matches()) {
            throw new IllegalArgumentException("pipeline name '" + pipeline + "' is not a plain name: use letters,"
                    + " digits, '.', '_' and '-', starting with a letter or digit, at most 101 characters");
        }
    }

    private static boolean extraEquals(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean stateEquals(StrategyState a, StrategyState b) {
        if (!a.strategy().equals(b.strategy()) || a.modelVersion() != b.modelVersion()
                || !a.tensors().keySet().equals(b.tensors().keySet())
                || !a.scalars().keySet().equals(b.scalars().keySet())) {
            return false;
        }
        for (Map.Entry<String, Double> e : a.scalars().entrySet()) {
            if (Double.doubleToRawLongBits(e.getValue()) != Double.doubleToRawLongBits(b.scalars().get(e.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, StrategyState.Tensor> e : a.tensors().entrySet()) {
            StrategyState.Tensor x = e.getValue();
            StrategyState.Tensor y = b.tensors().get(e.getKey());
            if (!Arrays.equals(x.shape(), y.shape())) {
                return false;
            }
            float[] xd = x.data();
            float[] yd = y.data();
            if (xd.length != yd.length) {
                return false;
            }
            for (int i = 0; i < xd.length; i++) {
                if (Float.floatToRawIntBits(xd[i]) != Float.floatToRawIntBits(yd[i])) {
                    return false;
                }
            }
        }
        return true;
    }
}
