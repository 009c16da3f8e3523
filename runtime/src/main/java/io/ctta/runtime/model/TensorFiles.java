package io.ctta.runtime.model;

import io.ctta.runtime.adapt.StrategyState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small binary files of named tensors: written atomically (temp file in the same directory, fsync,
 * rename), read with truncation reported as such. Used by {@link AdaptiveModel#saveParameters(Path)}
 * and by the strategies' warm-up caches; each caller writes its own header around the tensors.
 *
 * <p>Tensors are laid out as {@code int count}, then per tensor {@code UTF name, int rank, long[rank]
 * shape, int length, float[length] data} (big-endian, {@link DataOutputStream}).
 */
public final class TensorFiles {

    private TensorFiles() {}

    /** Writes a file's content. */
    @FunctionalInterface
    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads a file's content. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    /**
     * Writes {@code file} atomically, creating its directory: the content goes to a temp file next
     * to it, is forced to disk and renamed over {@code file} (a plain replace where the file system
     * cannot move atomically). A failure leaves no temp file behind.
     */
    public static void writeAtomically(Path file, Writer content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream raw = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
                content.write(out);
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

    /**
     * Reads {@code file} through {@code content}.
     *
     * @throws IOException when it cannot be read, or "{@code <file> is truncated}" when it ends early
     */
    public static <T> T read(Path file, Reader<T> content) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            return content.read(in);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    /** Writes {@code tensors} in the layout described above, in map order. */
    public static void writeTensors(DataOutputStream out, Map<String, StrategyState.Tensor> tensors)
            throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, StrategyState.Tensor> e : tensors.entrySet()) {
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

    /**
     * Reads tensors written by {@link #writeTensors} from {@code in}, which reads {@code file}.
     *
     * @throws IOException when a tensor claims more floats than the whole file could hold (a corrupt
     *     file), instead of allocating for it
     */
    public static Map<String, StrategyState.Tensor> readTensors(DataInputStream in, Path file) throws IOException {
        long maxLength = Files.size(file) / Float.BYTES;
        int count = in.readInt();
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            int rank = in.readInt();
            if (rank < 0 || rank > maxLength) {
                throw new IOException(file + ": implausible tensor rank " + rank + " for '" + name + "'");
            }
            long[] shape = new long[rank];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = in.readLong();
            }
            int len = in.readInt();
            if (len < 0 || len > maxLength) {
                throw new IOException(file + ": implausible tensor length " + len + " for '" + name + "'");
            }
            float[] data = new float[len];
            for (int k = 0; k < len; k++) {
                data[k] = in.readFloat();
            }
            tensors.put(name, new StrategyState.Tensor(shape, data));
        }
        return tensors;
    }
}
