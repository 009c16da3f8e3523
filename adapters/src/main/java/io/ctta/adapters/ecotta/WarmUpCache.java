package io.ctta.adapters.ecotta;

import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.SourceData;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Warmed-up meta networks on disk, so the warm-up runs once per model, partitioning, warm-up
 * settings and seed (ALGORITHMS.md 4.3 step 4), like the cached source model.
 *
 * <p>The file name is a hash of the key; the file repeats the full key and is only used when it
 * matches. It also records a fingerprint of the source data it was trained on: when the caller has
 * source data with another fingerprint, the entry is stale and the warm-up runs again; when the
 * caller has no source data, the entry is used as is. Files are written atomically (temp file,
 * fsync, rename), so a crash never leaves a half-written entry under the final name.
 */
final class WarmUpCache {

    private static final long MAGIC = 0x4354_5441_4543_4f31L; // "CTTAECO1"
    private static final String FORMAT = "ecotta-warmup-v1";

    /**
     * One stored warm-up.
     *
     * @param sourceFingerprint the fingerprint of the source data it was trained on
     * @param tensors every meta tensor by name
     */
    record Entry(String sourceFingerprint, Map<String, StrategyState.Tensor> tensors) {}

    private final Path dir;

    WarmUpCache(Path dir) {
        this.dir = dir;
    }

    /** The cache key: format, model version and frozen weights, warm-up settings, seed. */
    static String key(EcottaNetwork net, EcottaSettings s, long seed) {
        return FORMAT + "|model=" + net.model().spec().version() + "|frozen=" + net.frozenFingerprint() + "|"
                + s.warmupKey() + "|seed=" + seed;
    }

    /** Where the entry for {@code key} lives. */
    Path file(String key) {
        MessageDigest d = EcottaNetwork.sha256();
        String h = HexFormat.of().formatHex(d.digest(key.getBytes(StandardCharsets.UTF_8)));
        return dir.resolve("ecotta-warmup-" + h.substring(0, 32) + ".bin");
    }

    /**
     * Creates the directory and checks that a file can be written there, before an expensive
     * warm-up whose result could otherwise not be stored.
     */
    void checkWritable() throws IOException {
        Files.createDirectories(dir);
        Path probe = Files.createTempFile(dir, "ecotta-probe", ".tmp");
        Files.delete(probe);
    }

    /**
     * The entry stored for {@code key}, or empty when there is none.
     *
     * @throws IOException when a file exists but is unreadable, truncated, or not a cache entry
     */
    Optional<Entry> load(String key) throws IOException {
        Path f = file(key);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
            if (in.readLong() != MAGIC) {
                throw new IOException(f + " is not an ecotta warm-up file");
            }
            String stored = in.readUTF();
            if (!stored.equals(key)) {
                return Optional.empty(); // a hash collision or a hand-copied file: not ours
            }
            String source = in.readUTF();
            int count = in.readInt();
            Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                long[] shape = new long[in.readInt()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                }
                int len = in.readInt();
                if (len < 0 || len > 1 << 28) {
                    throw new IOException(f + ": implausible tensor length " + len + " for '" + name + "'");
                }
                float[] data = new float[len];
                for (int k = 0; k < len; k++) {
                    data[k] = in.readFloat();
                }
                tensors.put(name, new StrategyState.Tensor(shape, data));
            }
            if (in.read() != -1) {
                throw new IOException(f + " has trailing bytes");
            }
            return Optional.of(new Entry(source, tensors));
        } catch (EOFException e) {
            throw new IOException(f + " is truncated", e);
        }
    }

    /** Stores {@code entry} under {@code key}, atomically; returns the file. */
    Path save(String key, Entry entry) throws IOException {
        Path f = file(key);
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
        try {
            try (OutputStream raw = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
                out.writeLong(MAGIC);
                out.writeUTF(key);
                out.writeUTF(entry.sourceFingerprint());
                out.writeInt(entry.tensors().size());
                for (Map.Entry<String, StrategyState.Tensor> e : entry.tensors().entrySet()) {
                    out.writeUTF(e.getKey());
                    long[] shape = e.getValue().shape();
                    out.writeInt(shape.length);
                    for (long d : shape) {
                        out.writeLong(d);
                    }
                    float[] data = e.getValue().data();
                    out.writeInt(data.length);
                    for (float v : data) {
                        out.writeFloat(v);
                    }
                }
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return f;
    }

    /** SHA-256 over the source data's shape, labels and feature bits. */
    static String sourceFingerprint(SourceData data) {
        MessageDigest d = EcottaNetwork.sha256();
        ByteBuffer head = ByteBuffer.allocate(8 * (2 + data.sampleShape().length)).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(data.size());
        for (int s : data.sampleShape()) {
            head.putLong(s);
        }
        head.putLong(data.features().length);
        d.update(head.array());
        ByteBuffer labels = ByteBuffer.allocate(4 * data.size()).order(ByteOrder.LITTLE_ENDIAN);
        labels.asIntBuffer().put(data.labels());
        d.update(labels.array());
        float[] f = data.features();
        ByteBuffer chunk = ByteBuffer.allocate(4 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < f.length; from += 65536) {
            int len = Math.min(65536, f.length - from);
            chunk.clear();
            chunk.asFloatBuffer().put(f, from, len);
            d.update(chunk.array(), 0, len * 4);
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
