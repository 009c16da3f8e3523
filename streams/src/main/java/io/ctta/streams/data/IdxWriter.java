package io.ctta.streams.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;

/**
 * Writes {@link LabeledImages} as an IDX image file and an IDX label file, the inverse of
 * {@link IdxReader}.
 *
 * <p>A file whose name ends in {@code .gz} is gzipped. Each file is written to a temporary file
 * in the same directory, forced to disk and renamed over the target, so a reader never sees a
 * half-written file.
 */
public final class IdxWriter {
    private IdxWriter() {}

    /**
     * Writes the images and labels.
     *
     * @throws IllegalArgumentException if a label is above 255 (IDX labels are unsigned bytes)
     * @throws IOException on I/O errors; the targets are then left untouched
     */
    public static void write(LabeledImages data, Path images, Path labels) throws IOException {
        byte[] lab = new byte[data.count()];
        for (int i = 0; i < lab.length; i++) {
            int l = data.labels()[i];
            if (l > 255) {
                throw new IllegalArgumentException("label " + i + " is " + l
                        + "; IDX label files hold unsigned bytes (0..255)");
            }
            lab[i] = (byte) l;
        }
        writeAtomically(images, out -> {
            out.writeInt(IdxReader.IMAGES_MAGIC);
            out.writeInt(data.count());
            out.writeInt(data.rows());
            out.writeInt(data.cols());
            out.write(data.pixels());
        });
        writeAtomically(labels, out -> {
            out.writeInt(IdxReader.LABELS_MAGIC);
            out.writeInt(data.count());
            out.write(lab);
        });
    }

    private interface Body {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            try (OutputStream fileOut = Files.newOutputStream(tmp)) {
                OutputStream os = new BufferedOutputStream(fileOut, 1 << 16);
                if (abs.getFileName().toString().endsWith(".gz")) {
                    os = new GZIPOutputStream(os, 1 << 16);
                }
                DataOutputStream out = new DataOutputStream(os);
                body.writeTo(out);
                out.flush();
                if (os instanceof GZIPOutputStream gz) {
                    gz.finish();
                }
                os.flush();
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                // Durability before the rename: a crash must not leave an empty target.
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
