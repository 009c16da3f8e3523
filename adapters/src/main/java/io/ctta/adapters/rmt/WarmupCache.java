package io.ctta.adapters.rmt;

import io.ctta.adapters.support.WarmUpCacheFormat;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.TensorFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cached result of RMT's set-up (source prototypes, warm-up: student, teacher, projector,
 * optimizer state, source position) as one file per identity, named, headed and written atomically
 * by {@link WarmUpCacheFormat} (shared with ecotta's cache).
 *
 * <p>The identity covers what determines the result: model version, a fingerprint of the initial
 * weights, the seed and the warm-up settings. The file also records a fingerprint of the source
 * data it was computed from; when the deployment has source data, a file computed from other
 * source data is ignored (and overwritten). Without source data the file is trusted as it is:
 * that is how a source-free deployment ships its prototypes.
 */
final class WarmupCache {

    private static final String FORMAT = "rmt-warmup-v1";
    private static final WarmUpCacheFormat FILES = new WarmUpCacheFormat("rmt-warmup", 16,
            0x4354_5441_524d_5431L /* "CTTARMT1" */, "an rmt warm-up cache file");

    private WarmupCache() {}

    /** The identity string of a set-up; stored in the file and hashed into its name. */
    static String identity(String modelVersion, long modelFingerprint, long seed, RmtSettings settings) {
        return FORMAT + "|model=" + modelVersion + "|weights=" + Long.toHexString(modelFingerprint) + "|seed=" + seed
                + "|" + settings.warmupIdentity();
    }

    /** {@code dir/rmt-warmup-<first 16 hex digits of SHA-256(identity)>.bin}. */
    static Path file(Path dir, String identity) {
        return FILES.file(dir, identity);
    }

    /** A 64-bit fingerprint of the source samples, their shape and labels. */
    static long fingerprint(SourceData source) {
        Hash64 h = new Hash64();
        for (int d : source.sampleShape()) {
            h.add(d);
        }
        for (int y : source.labels()) {
            h.add(y);
        }
        for (float f : source.features()) {
            h.add(Float.floatToIntBits(f));
        }
        return h.value();
    }

    /** A 64-bit fingerprint of named tensors (e.g. the initial model weights). */
    static long fingerprint(Map<String, StrategyState.Tensor> tensors) {
        Hash64 h = new Hash64();
        tensors.forEach((name, t) -> {
            h.add(name.hashCode());
            for (long d : t.shape()) {
                h.add((int) d);
            }
            for (float f : t.data()) {
                h.add(Float.floatToIntBits(f));
            }
        });
        return h.value();
    }

    /**
     * Reads {@code file} if it exists, holds {@code identity}, and (when {@code sourceFingerprint}
     * is non-null) was computed from the same source data; empty otherwise.
     *
     * @throws IOException when the file exists but cannot be read or is corrupt
     */
    static Optional<StrategyState> load(Path file, String identity, Long sourceFingerprint) throws IOException {
        return FILES.load(file, identity, (in, f) -> {
            long source = in.readLong();
            if (sourceFingerprint != null && source != sourceFingerprint) {
                return Optional.empty();
            }
            String strategy = in.readUTF();
            long version = in.readLong();
            Map<String, StrategyState.Tensor> tensors = TensorFiles.readTensors(in, f);
            int m = in.readInt();
            Map<String, Double> scalars = new LinkedHashMap<>();
            for (int i = 0; i < m; i++) {
                scalars.put(in.readUTF(), in.readDouble());
            }
            return Optional.of(new StrategyState(strategy, version, tensors, scalars));
        });
    }

    /** Writes {@code state} to {@code file} atomically, creating the directory. */
    static void save(Path file, String identity, long sourceFingerprint, StrategyState state) throws IOException {
        FILES.save(file, identity, out -> {
            out.writeLong(sourceFingerprint);
            out.writeUTF(state.strategy());
            out.writeLong(state.modelVersion());
            TensorFiles.writeTensors(out, state.tensors());
            out.writeInt(state.scalars().size());
            for (Map.Entry<String, Double> e : state.scalars().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeDouble(e.getValue());
            }
        });
    }

    /** FNV-style 64-bit hash with a SplitMix finaliser; not cryptographic, only for change detection. */
    private static final class Hash64 {
        private long h = 0xcbf2_9ce4_8422_2325L;

        void add(int v) {
            h = (h ^ (v & 0xffffffffL)) * 0x0000_0100_0000_01b3L;
        }

        long value() {
            return Seeds.mix(h, 0);
        }
    }
}
