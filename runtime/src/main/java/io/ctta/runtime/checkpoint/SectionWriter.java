package io.ctta.runtime.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes one section of pipeline state (a checkpoint extra blob) in a small, self-describing
 * binary form: the section's kind and version first, so that a reader recognises what it holds
 * and refuses a blob written by another part or by a newer build. Big-endian ({@link
 * DataOutputStream}); the checkpoint's SHA-256 covers it like every other byte of the file.
 */
public final class SectionWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    /**
     * @param kind what the section holds (e.g. {@code drift-monitor})
     * @param version the layout version of that kind
     */
    public SectionWriter(String kind, int version) {
        str(kind);
        i32(version);
    }

    public SectionWriter i32(int v) {
        try {
            out.writeInt(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public SectionWriter i64(long v) {
        try {
            out.writeLong(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A double by its raw bits, so NaN and -0.0 survive. */
    public SectionWriter f64(double v) {
        return i64(Double.doubleToRawLongBits(v));
    }

    public SectionWriter bool(boolean v) {
        return i32(v ? 1 : 0);
    }

    /** A UTF-8 string with its byte length first. */
    public SectionWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i32(b.length);
        return raw(b);
    }

    public SectionWriter doubles(double[] a) {
        i32(a.length);
        for (double v : a) {
            f64(v);
        }
        return this;
    }

    public SectionWriter floats(float[] a) {
        i32(a.length);
        for (float v : a) {
            i32(Float.floatToRawIntBits(v));
        }
        return this;
    }

    /** A nested blob with its length first. */
    public SectionWriter blob(byte[] b) {
        i32(b.length);
        return raw(b);
    }

    private SectionWriter raw(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The encoded section. */
    public byte[] toBytes() {
        return bytes.toByteArray();
    }
}
