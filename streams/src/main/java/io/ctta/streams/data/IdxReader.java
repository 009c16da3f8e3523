package io.ctta.streams.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format): a big-endian magic number, big-endian
 * dimension sizes, then unsigned bytes.
 *
 * <p>Only the two shapes used by image datasets are accepted: {@code ubyte[count][rows][cols]}
 * (magic 2051) for images and {@code ubyte[count]} (magic 2049) for labels. Files may be gzipped
 * or plain; gzip is detected by its magic bytes {@code 1f 8b}, not by the file name. Data is read
 * straight into the result arrays, with no intermediate full copy.
 */
public final class IdxReader {
    /** Magic number of an unsigned-byte, three-dimensional IDX file. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an unsigned-byte, one-dimensional IDX file. */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {}

    /**
     * Reads an image file and its label file.
     *
     * @throws NoSuchFileException if a file is missing
     * @throws IdxFormatException if a file is malformed, truncated, has trailing bytes, or the
     *     two files disagree on the number of items
     * @throws IOException on other I/O errors
     */
    public static LabeledImages read(Path images, Path labels) throws IOException {
        int count;
        int rows;
        int cols;
        byte[] pixels;
        try (DataInputStream in = open(images)) {
            int magic = readHeaderInt(in, images, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new IdxFormatException(images + ": bad magic number " + magic
                        + " (0x" + Integer.toHexString(magic) + "); an IDX image file starts with "
                        + IMAGES_MAGIC + " (ubyte, 3 dimensions)"
                        + (magic == LABELS_MAGIC ? "; this looks like a label file" : ""));
            }
            count = readHeaderInt(in, images, "image count");
            rows = readHeaderInt(in, images, "row count");
            cols = readHeaderInt(in, images, "column count");
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new IdxFormatException(images + ": invalid dimensions " + count + " x "
                        + rows + " x " + cols + " (count must be >= 0, rows and cols > 0)");
            }
            long size = (long) count * rows * cols;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IdxFormatException(images + ": " + count + " x " + rows + " x " + cols
                        + " = " + size + " bytes does not fit in one Java array");
            }
            pixels = new byte[(int) size];
            readBody(in, pixels, images);
        }
        int[] lab;
        try (DataInputStream in = open(labels)) {
            int magic = readHeaderInt(in, labels, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new IdxFormatException(labels + ": bad magic number " + magic
                        + " (0x" + Integer.toHexString(magic) + "); an IDX label file starts with "
                        + LABELS_MAGIC + " (ubyte, 1 dimension)"
                        + (magic == IMAGES_MAGIC ? "; this looks like an image file" : ""));
            }
            int n = readHeaderInt(in, labels, "label count");
            if (n != count) {
                throw new IdxFormatException(labels + ": holds " + n + " labels but "
                        + images.getFileName() + " holds " + count + " images; the two files"
                        + " must describe the same items");
            }
            byte[] raw = new byte[n];
            readBody(in, raw, labels);
            lab = new int[n];
            for (int i = 0; i < n; i++) {
                lab[i] = raw[i] & 0xFF;
            }
        }
        return new LabeledImages(count, rows, cols, pixels, lab);
    }

    /**
     * Reads a label file on its own.
     *
     * @throws IdxFormatException if it is not a {@code ubyte[count]} IDX file or is truncated
     */
    public static int[] readLabels(Path labels) throws IOException {
        byte[] raw = readLabelBytes(labels);
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] & 0xFF;
        }
        return out;
    }

    /**
     * Reads a label file on its own, as the unsigned bytes it holds (label {@code i} is
     * {@code bytes[i] & 0xFF}): a quarter of the memory of {@link #readLabels}.
     *
     * @throws IdxFormatException if it is not a {@code ubyte[count]} IDX file or is truncated
     */
    public static byte[] readLabelBytes(Path labels) throws IOException {
        try (DataInputStream in = open(labels)) {
            int magic = readHeaderInt(in, labels, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new IdxFormatException(labels + ": bad magic number " + magic
                        + " (0x" + Integer.toHexString(magic) + "); an IDX label file starts with "
                        + LABELS_MAGIC + " (ubyte, 1 dimension)");
            }
            int n = readHeaderInt(in, labels, "label count");
            if (n < 0) {
                throw new IdxFormatException(labels + ": negative label count " + n);
            }
            byte[] raw = new byte[n];
            readBody(in, raw, labels);
            return raw;
        }
    }

    /** Opens a file, transparently un-gzipping it when it starts with the gzip magic. */
    static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b)
                    ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)
                    : raw;
            return new DataInputStream(in);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what)
            throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file + ": file ends inside the header (while reading the "
                    + what + "); it is empty or not an IDX file");
        }
    }

    private static void readBody(DataInputStream in, byte[] into, Path file) throws IOException {
        int off = 0;
        while (off < into.length) {
            int n = in.read(into, off, into.length - off);
            if (n < 0) {
                throw new IdxFormatException(file + ": truncated, header announces " + into.length
                        + " data bytes but only " + off + " are present");
            }
            off += n;
        }
        if (in.read() != -1) {
            throw new IdxFormatException(file + ": has trailing bytes after the " + into.length
                    + " data bytes the header announces");
        }
    }
}
