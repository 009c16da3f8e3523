package io.ctta.adapters.support;

import io.ctta.runtime.model.TensorFiles;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The files of a strategy's warm-up cache: one file per cache key, so that an expensive set-up on
 * source data runs once per model, settings and seed. Each strategy keeps its own key contents and
 * the body after the common header (see its {@code WarmUpCache}); this class holds what they share.
 *
 * <p>A file is named {@code <prefix>-<first hex digits of SHA-256(key)>.bin} and starts with a
 * magic number and the full key; it is only used when that key matches (a hash collision or a
 * hand-copied file is not ours). Files are written atomically (temp file, fsync, rename), so a crash
 * never leaves a half-written entry under the final name.
 */
public final class WarmUpCacheFormat {

    /** Reads an entry's body, after its header. */
    @FunctionalInterface
    public interface Body<T> {
        /** The entry, or empty when it does not apply (e.g. computed from other source data). */
        Optional<T> read(DataInputStream in, Path file) throws IOException;
    }

    private final String prefix;
    private final int hashHexDigits;
    private final long magic;
    private final String description;

    /**
     * @param prefix the start of the file names, e.g. {@code rmt-warmup}
     * @param hashHexDigits how many hex digits of the key's SHA-256 name a file (1 to 64)
     * @param magic the first 8 bytes of every file
     * @param description what a file is, for "{@code <file> is not <description>}"
     */
    public WarmUpCacheFormat(String prefix, int hashHexDigits, long magic, String description) {
        if (hashHexDigits < 1 || hashHexDigits > 64) {
            throw new IllegalArgumentException("hashHexDigits must be in 1..64, got " + hashHexDigits);
        }
        this.prefix = prefix;
        this.hashHexDigits = hashHexDigits;
        this.magic = magic;
        this.description = description;
    }

    /** Where the entry for {@code key} lives in {@code dir}. */
    public Path file(Path dir, String key) {
        byte[] h = sha256().digest(key.getBytes(StandardCharsets.UTF_8));
        return dir.resolve(prefix + "-" + HexFormat.of().formatHex(h).substring(0, hashHexDigits) + ".bin");
    }

    /**
     * Creates {@code dir} and checks that a file can be written there, before an expensive warm-up
     * whose result could otherwise not be stored.
     */
    public void checkWritable(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path probe = Files.createTempFile(dir, prefix + "-probe", ".tmp");
        Files.delete(probe);
    }

    /**
     * The entry in {@code file} when it exists, holds {@code key} and {@code body} accepts it.
     *
     * @throws IOException when the file exists but is unreadable, truncated, or not of this format
     */
    public <T> Optional<T> load(Path file, String key, Body<T> body) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return TensorFiles.read(file, in -> {
            if (in.readLong() != magic) {
                throw new IOException(file + " is not " + description);
            }
            if (!in.readUTF().equals(key)) {
                return Optional.empty();
            }
            return body.read(in, file);
        });
    }

    /** Writes the header for {@code key} and then {@code body} to {@code file}, atomically, creating its directory. */
    public void save(Path file, String key, TensorFiles.Writer body) throws IOException {
        TensorFiles.writeAtomically(file, out -> {
            out.writeLong(magic);
            out.writeUTF(key);
            body.write(out);
        });
    }

    /** A SHA-256 digest (every Java platform has one). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
