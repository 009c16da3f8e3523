package io.ctta.adapters.ecotta;

import io.ctta.adapters.support.WarmUpCacheFormat;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.TensorFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Warmed-up meta networks on disk, so the warm-up runs once per model, partitioning, warm-up
 * settings and seed (docs/strategies/ecotta.md), like the cached source model.
 *
 * <p>The file name is a hash of the key; the file repeats the full key and is only used when it
 * matches. It also records a fingerprint of the source data it was trained on: when the caller has
 * source data with another fingerprint, the entry is stale and the warm-up runs again; when the
 * caller has no source data, the entry is used as is. The file name, header and atomic writes are
 * {@link WarmUpCacheFormat}'s, shared with rmt's cache.
 */
final class WarmUpCache {

    private static final String FORMAT = "ecotta-warmup-v1";
    private static final WarmUpCacheFormat FILES = new WarmUpCacheFormat("ecotta-warmup", 32,
            0x4354_5441_4543_4f31L /* "CTTAECO1" */, "an ecotta warm-up file");

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
                + s.warmupKey(net.partitions()) + "|seed=" + seed;
    }

    /** Where the entry for {@code key} lives. */
    Path file(String key) {
        return FILES.file(dir, key);
    }

    /**
     * Creates the directory and checks that a file can be written there, before an expensive
     * warm-up whose result could otherwise not be stored.
     */
    void checkWritable() throws IOException {
        FILES.checkWritable(dir);
    }

    /**
     * The entry stored for {@code key}, or empty when there is none.
     *
     * @throws IOException when a file exists but is unreadable, truncated, or not a cache entry
     */
    Optional<Entry> load(String key) throws IOException {
        return FILES.load(file(key), key, (in, f) -> {
            String source = in.readUTF();
            Map<String, StrategyState.Tensor> tensors = TensorFiles.readTensors(in, f);
            if (in.read() != -1) {
                throw new IOException(f + " has trailing bytes");
            }
            return Optional.of(new Entry(source, tensors));
        });
    }

    /** Stores {@code entry} under {@code key}, atomically; returns the file. */
    Path save(String key, Entry entry) throws IOException {
        Path f = file(key);
        FILES.save(f, key, out -> {
            out.writeUTF(entry.sourceFingerprint());
            TensorFiles.writeTensors(out, entry.tensors());
        });
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
