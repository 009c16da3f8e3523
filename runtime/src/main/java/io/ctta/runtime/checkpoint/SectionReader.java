package io.ctta.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a section written by {@link SectionWriter}. Every count and length is checked against
 * the bytes that remain before anything is allocated; any inconsistency throws
 * {@link IllegalArgumentException} naming the section, so a caller can start that part fresh and
 * say why.
 */
public final class SectionReader {
    private final ByteBuffer in;
    private final String kind;
    private final int version;

    /**
     * Reads the header and checks it.
     *
     * @param kind the kind the caller expects
     * @param newestVersion the newest layout version the caller understands
     * @throws IllegalArgumentException when the blob holds another kind, a newer version or is truncated
     */
    public SectionReader(byte[] blob, String kind, int newestVersion) {
        this.in = ByteBuffer.wrap(blob);
        this.kind = kind;
        String found = str();
        if (!found.equals(kind)) {
            throw new IllegalArgumentException("section holds '" + found + "', expected '" + kind + "'");
        }
        this.version = i32();
        if (version < 1 || version > newestVersion) {
            throw new IllegalArgumentException("section '" + kind + "' has layout version " + version
                    + "; this build reads 1 to " + newestVersion);
        }
    }

    /** The layout version the section was written with. */
    public int version() {
        return version;
    }

    public int i32() {
        need(4);
        return in.getInt();
    }

    public long i64() {
        need(8);
        return in.getLong();
    }

    public double f64() {
        return Double.longBitsToDouble(i64());
    }

    public boolean bool() {
        int v = i32();
        if (v != 0 && v != 1) {
            throw corrupt("a boolean is " + v);
        }
        return v == 1;
    }

    /** A count of items of at least {@code minBytesEach} bytes each, checked against what remains. */
    public int count(int minBytesEach) {
        int n = i32();
        if (n < 0 || (long) n * Math.max(1, minBytesEach) > in.remaining()) {
            throw corrupt("count " + n + " exceeds the " + in.remaining() + " bytes that remain");
        }
        return n;
    }

    public String str() {
        byte[] b = new byte[count(1)];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public double[] doubles() {
        double[] a = new double[count(8)];
        for (int i = 0; i < a.length; i++) {
            a[i] = f64();
        }
        return a;
    }

    public float[] floats() {
        float[] a = new float[count(4)];
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.intBitsToFloat(i32());
        }
        return a;
    }

    public byte[] blob() {
        byte[] b = new byte[count(1)];
        in.get(b);
        return b;
    }

    /** Checks that every byte was read. */
    public void end() {
        if (in.hasRemaining()) {
            throw corrupt(in.remaining() + " unexplained bytes at the end");
        }
    }

    /** An error naming the section and the position. */
    public IllegalArgumentException corrupt(String what) {
        return new IllegalArgumentException("section '" + kind + "' at byte " + in.position() + ": " + what);
    }

    private void need(int n) {
        if (in.remaining() < n) {
            throw corrupt("truncated: needs " + n + " more bytes, " + in.remaining() + " remain");
        }
    }
}
