package io.ctta.streams.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads an IDX image file one image at a time, so a domain of large RGB images is never held in
 * memory at once. Two layouts: {@code ubyte[count][rows][cols]} (magic 2051, grey) and
 * {@code ubyte[count][rows][cols][channels]} (magic 2052, channels last as NumPy and PIL hold images,
 * channels 1 or 3). Gzip is detected by its magic bytes. Not thread-safe.
 */
public final class IdxImageStream implements AutoCloseable {

    /** Magic number of an unsigned-byte, four-dimensional IDX file. */
    public static final int IMAGES4_MAGIC = 0x00000804;

    private final Path file;
    private final DataInputStream in;
    private final int count;
    private final int rows;
    private final int cols;
    private final int channels;
    private final int dimensions;
    private final byte[] hwc;
    private int read;

    /**
     * Opens {@code file} and reads its header.
     *
     * @throws java.nio.file.NoSuchFileException if it is missing
     * @throws IdxFormatException                 if the header is not one of the two layouts
     */
    public IdxImageStream(Path file) throws IOException {
        this.file = file;
        this.in = IdxReader.open(file);
        try {
            int magic = header("magic number");
            if (magic != IdxReader.IMAGES_MAGIC && magic != IMAGES4_MAGIC) {
                throw new IdxFormatException(file + ": bad magic number " + magic + " (0x" + Integer.toHexString(magic)
                        + "); an IDX image file starts with " + IdxReader.IMAGES_MAGIC + " (ubyte, 3 dimensions: count,"
                        + " rows, cols) or " + IMAGES4_MAGIC + " (ubyte, 4 dimensions: count, rows, cols, channels)"
                        + (magic == IdxReader.LABELS_MAGIC ? "; this looks like a label file" : ""));
            }
            count = header("image count");
            rows = header("row count");
            cols = header("column count");
            dimensions = magic == IMAGES4_MAGIC ? 4 : 3;
            channels = dimensions == 4 ? header("channel count") : 1;
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new IdxFormatException(file + ": invalid dimensions " + count + " x " + rows + " x " + cols
                        + " (count must be >= 0, rows and cols > 0)");
            }
            if (channels != 1 && channels != 3) {
                throw new IdxFormatException(file + ": " + channels + " channels; a stream holds grey (1) or RGB (3) images");
            }
            if ((long) rows * cols * channels > Integer.MAX_VALUE - 8) {
                throw new IdxFormatException(file + ": one " + rows + "x" + cols + "x" + channels + " image does not fit in an array");
            }
            hwc = new byte[rows * cols * channels];
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Images the header announces. */
    public int count() {
        return count;
    }

    /** Image height. */
    public int rows() {
        return rows;
    }

    /** Image width. */
    public int cols() {
        return cols;
    }

    /** 1 (grey) or 3 (RGB). */
    public int channels() {
        return channels;
    }

    /** 3 ({@code [count, rows, cols]}) or 4 ({@code [count, rows, cols, channels]}). */
    public int dimensions() {
        return dimensions;
    }

    /** How many images {@link #next()} has returned. */
    public int position() {
        return read;
    }

    /**
     * The next image, channel-planar ({@code [channels][rows][cols]}, converted from the file's
     * channels-last order).
     *
     * @throws IdxFormatException when the file ends before the image does (it is truncated)
     * @throws java.util.NoSuchElementException after {@link #count()} images
     */
    public byte[] next() throws IOException {
        if (read >= count) {
            throw new java.util.NoSuchElementException(file + " holds " + count + " images");
        }
        try {
            in.readFully(hwc);
        } catch (EOFException e) {
            throw new IdxFormatException(file + ": truncated inside image " + read + " of the " + count
                    + " the header announces");
        }
        read++;
        if (read == count && in.read() != -1) {
            throw new IdxFormatException(file + ": has trailing bytes after the " + count + " images the header announces");
        }
        if (channels == 1) {
            return hwc.clone();
        }
        int plane = rows * cols;
        byte[] chw = new byte[hwc.length];
        for (int p = 0, i = 0; p < plane; p++) {
            chw[p] = hwc[i++];
            chw[plane + p] = hwc[i++];
            chw[2 * plane + p] = hwc[i++];
        }
        return chw;
    }

    private int header(String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file + ": file ends inside the header (while reading the " + what
                    + "); it is empty or not an IDX file");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
