package io.ctta.actors.model;

import io.ctta.runtime.adapt.KeyScopedState;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.SectionReader;
import io.ctta.runtime.checkpoint.SectionWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The files of evicted key states ({@code scope = key}): one immutable file per eviction, named by
 * this incarnation and a counter (never a record's key, which is user content), holding the key,
 * the encoded state and a CRC32C. A file is never rewritten, so a checkpoint that names it always
 * finds the state as of that checkpoint; {@link KeyedStates} decides when one may be deleted.
 *
 * <p>Writes land on the model actor's thread without fsync (a temporary file renamed into place);
 * the files a checkpoint names are fsynced by {@link #fsync} on the blocking-IO thread before that
 * checkpoint is stored. Reads and deletes are on the model actor's thread.
 */
final class KeyStateSpill implements AutoCloseable {
    static final String SUFFIX = ".kst";
    private static final String TMP = ".tmp";
    private static final Pattern FILE = Pattern.compile("[0-9a-f]{16}-[0-9]+\\" + SUFFIX + "(\\" + TMP + ")?");

    private final Path dir;
    private final boolean temporary;
    private final String incarnation;
    private long counter;

    /**
     * @param dir where the files live (created when missing); null for a temporary directory,
     *     removed on {@link #close()} (no checkpoints: nothing needs them after a restart)
     */
    KeyStateSpill(Path dir, String pipeline) {
        try {
            this.temporary = dir == null;
            this.dir = dir == null ? Files.createTempDirectory("ctta-key-states-" + pipeline + "-") : Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("pipeline " + pipeline + ": cannot create the key-state directory " + dir
                    + " (set key-states.dir to a writable directory)", e);
        }
        this.incarnation = String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code key}'s state to a new file and returns its name. */
    String write(String key, StrategyState state) {
        String name = incarnation + "-" + (++counter) + SUFFIX;
        byte[] body = new SectionWriter("spilled-key-state", 1).str(key).blob(KeyScopedState.encode(state)).toBytes();
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer all = ByteBuffer.allocate(body.length + 8).put(body).putLong(crc.getValue()).flip();
        Path tmp = dir.resolve(name + TMP);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (all.hasRemaining()) {
                ch.write(all);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write key state " + tmp, e);
        }
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename key state " + tmp, e);
        }
        return name;
    }

    /**
     * Reads the state in {@code name}, which must be {@code key}'s.
     *
     * @throws IOException when the file is missing, corrupt or holds another key
     */
    StrategyState read(String name, String key) throws IOException {
        byte[] all = Files.readAllBytes(dir.resolve(name));
        if (all.length < 8) {
            throw new IOException(name + ": truncated");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) {
            throw new IOException(name + ": checksum mismatch");
        }
        try {
            SectionReader r = new SectionReader(java.util.Arrays.copyOf(all, all.length - 8), "spilled-key-state", 1);
            String found = r.str();
            if (!found.equals(key)) {
                throw new IOException(name + " holds the state of another key");
            }
            StrategyState s = KeyScopedState.decode(r.blob());
            r.end();
            return s;
        } catch (IllegalArgumentException e) {
            throw new IOException(name + ": " + e.getMessage(), e);
        }
    }

    /** Every key-state file in the directory (temporary leftovers included). */
    List<String> list() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (FILE.matcher(n).matches()) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    void delete(String name) {
        try {
            Files.deleteIfExists(dir.resolve(name));
        } catch (IOException e) {
            // A file left behind is deleted by a later sweep; it never changes a state.
        }
    }

    /** Makes the named files and the directory durable. Blocking IO: on the blocking-IO thread. */
    static void fsync(Path dir, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        try {
            for (String n : names) {
                try (FileChannel ch = FileChannel.open(dir.resolve(n), StandardOpenOption.READ)) {
                    ch.force(true);
                }
            }
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
                try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                    ch.force(true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fsync key states in " + dir, e);
        }
    }

    /** Removes a temporary directory with its files; a configured one stays. */
    @Override
    public void close() {
        if (!temporary) {
            return;
        }
        for (String n : list()) {
            delete(n);
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty (a file we do not know): left to the OS's temporary-file cleaning
        }
    }
}
