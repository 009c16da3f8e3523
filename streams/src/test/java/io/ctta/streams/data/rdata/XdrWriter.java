package io.ctta.streams.data.rdata;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes R XDR serialization by hand for tests, following serialize.c: flags are
 * {@code type | object<<8 | attr<<9 | tag<<10 | levels<<12}. Symbols are written once and
 * referenced afterwards (REFSXP), as R does.
 */
final class XdrWriter {
    static final int LISTSXP = 2;
    static final int SYMSXP = 1;
    static final int CHARSXP = 9;
    static final int LGLSXP = 10;
    static final int INTSXP = 13;
    static final int REALSXP = 14;
    static final int STRSXP = 16;
    static final int VECSXP = 19;
    static final int ALTREP = 238;
    static final int NILVALUE = 254;
    static final int REFSXP = 255;
    static final int UTF8 = 1 << 3;
    static final int ASCII = 1 << 6;
    static final int LATIN1 = 1 << 2;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private final Map<String, Integer> symbols = new HashMap<>();
    private int refCount;

    /** Starts with the "X\n" format and a version-2 or -3 header. */
    XdrWriter(int version) {
        raw("X\n".getBytes(StandardCharsets.US_ASCII));
        i(version);
        i(0x040201); // written by R 4.2.1
        i(version == 3 ? 0x030500 : 0x020300);
        if (version == 3) {
            byte[] enc = "UTF-8".getBytes(StandardCharsets.US_ASCII);
            i(enc.length);
            raw(enc);
        }
    }

    static int flags(int type, boolean object, boolean attr, boolean tag, int levels) {
        return type | (object ? 1 << 8 : 0) | (attr ? 1 << 9 : 0) | (tag ? 1 << 10 : 0) | (levels << 12);
    }

    XdrWriter i(int v) {
        try {
            out.writeInt(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    XdrWriter d(double v) {
        try {
            out.writeLong(Double.doubleToRawLongBits(v));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    XdrWriter raw(byte[] b) {
        bytes.write(b, 0, b.length);
        return this;
    }

    XdrWriter nil() {
        return i(NILVALUE);
    }

    XdrWriter charsxp(String s, int levels) {
        if (s == null) {
            return i(CHARSXP).i(-1);
        }
        byte[] b = s.getBytes(levels == LATIN1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        i(flags(CHARSXP, false, false, false, levels)).i(b.length);
        return raw(b);
    }

    /** A symbol, or a reference to it when written before. */
    XdrWriter symbol(String name) {
        Integer ref = symbols.get(name);
        if (ref != null) {
            return i(REFSXP | (ref << 8));
        }
        symbols.put(name, ++refCount);
        i(SYMSXP);
        return charsxp(name, ASCII);
    }

    XdrWriter ints(int[] v, boolean attr, boolean object) {
        i(flags(INTSXP, object, attr, false, 0)).i(v.length);
        for (int x : v) {
            i(x);
        }
        return this;
    }

    XdrWriter logicals(int[] v) {
        i(LGLSXP).i(v.length);
        for (int x : v) {
            i(x);
        }
        return this;
    }

    XdrWriter doubles(double[] v, boolean attr) {
        i(flags(REALSXP, false, attr, false, 0)).i(v.length);
        for (double x : v) {
            d(x);
        }
        return this;
    }

    XdrWriter strings(String[] v, int levels, boolean attr) {
        i(flags(STRSXP, false, attr, false, 0)).i(v.length);
        for (String s : v) {
            charsxp(s, levels);
        }
        return this;
    }

    XdrWriter vecsxp(int n, boolean attr, boolean object) {
        return i(flags(VECSXP, object, attr, false, 0)).i(n);
    }

    /** One tagged pairlist cell header; the caller writes the value and then the next cell or nil. */
    XdrWriter cell(String tag) {
        i(flags(LISTSXP, false, false, true, 0));
        return symbol(tag);
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }
}
