package io.ctta.adapters.rmt;

import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.SourceData;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cached result of RMT's set-up (source prototypes, warm-up: student, teacher, projector,
 * optimizer state, source position) as one file per identity, written atomically (temp file,
 * fsync, rename).
 *
 * <p>The identity covers what determines the result: model version, a fingerprint of the initial
 * weights, the seed and the warm-up settings. The file also records a fingerprint of the source
 * data it was computed from; when the deployment has source data, a file computed from other
 * source data is ignored (and overwritten). Without source data the file is trusted as it is:
 * that is how a source-free deployment ships its prototypes.
 */
final class WarmupCache {

    private static final long MAGIC = 0x4354_5441_524d_5431L; // "CTTARMT1"
    private static final String FORMAT = "rmt-warmup-v1";

    private WarmupCache() {}

    /** The identity string of a set-up; stored in the file and hashed into its name. */
    static String identity(String modelVersion, long modelFingerprint, long seed, RmtSettings settings) {
        return FORMAT + "|model=" + modelVersion + "|weights=" + Long.toHexString(modelFingerprint) + "|seed=" + seed
                + "|" + settings.warmupIdentity();
    }

    /** {@code dir/rmt-warmup-<first 16 hex digits of SHA-256(identity)>.bin}. */
    static Path file(Path dir, String identity) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                hex.append(String.format("%02x", h[i]));
            }
            return dir.resolve("rmt-warmup-" + hex + ".bin");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
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
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readLong() != MAGIC) {
                throw new IOException(file + " is not an rmt warm-up cache file");
            }
            if (!in.readUTF().equals(identity)) {
                return Optional.empty();
            }
            long source = in.readLong();
            if (sourceFingerprint != null && source != sourceFingerprint) {
                return Optional.empty();
            }
            String strategy = in.readUTF();
            long version = in.readLong();
            int n = in.readInt();
            Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                long[] shape = new long[in.readInt()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                }
                float[] data = new float[in.readInt()];
                for (int k = 0; k < data.length; k++) {
                    data[k] = in.readFloat();
                }
                tensors.put(name, new StrategyState.Tensor(shape, data));
            }
            int m = in.readInt();
            Map<String, Double> scalars = new LinkedHashMap<>();
            for (int i = 0; i < m; i++) {
                scalars.put(in.readUTF(), in.readDouble());
            }
            return Optional.of(new StrategyState(strategy, version, tensors, scalars));
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    /** Writes {@code state} to {@code file} atomically, creating the directory. */
    static void save(Path file, String identity, long sourceFingerprint, StrategyState state) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream raw = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
                out.writeLong(MAGIC);
                out.writeUTF(identity);
                out.writeLong(sourceFingerprint);
                out.writeUTF(state.strategy());
                out.writeLong(state.modelVersion());
                out.writeInt(state.tensors().size());
                for (Map.Entry<String, StrategyState.Tensor> e : state.tensors().entrySet()) {
                    out.writeUTF(e.getKey());
                    long[] shape = e.getValue().shape();
                    out.writeInt(shape.length);
                    for (long d : shape) {
                        out.writeLong(d);
                    }
                    float[] data = e.getValue().data();
                    out.writeInt(data.length);
                    for (float f : data) {
                        out.writeFloat(f);
                    }
                }
                out.writeInt(state.scalars().size());
                for (Map.Entry<String, Double> e : state.scalars().entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeDouble(e.getValue());
                }
                out.flush();
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
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
