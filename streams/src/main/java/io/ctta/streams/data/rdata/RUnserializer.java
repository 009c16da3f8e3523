package io.ctta.streams.data.rdata;

import io.ctta.streams.data.rdata.RObject.RComplex;
import io.ctta.streams.data.rdata.RObject.RDoubles;
import io.ctta.streams.data.rdata.RObject.RInts;
import io.ctta.streams.data.rdata.RObject.RList;
import io.ctta.streams.data.rdata.RObject.RLogicals;
import io.ctta.streams.data.rdata.RObject.RNull;
import io.ctta.streams.data.rdata.RObject.ROpaque;
import io.ctta.streams.data.rdata.RObject.RPairList;
import io.ctta.streams.data.rdata.RObject.RRaw;
import io.ctta.streams.data.rdata.RObject.RStrings;
import io.ctta.streams.data.rdata.RObject.RSymbol;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one object in R's XDR serialization format (versions 2 and 3, the {@code "X\n"} format
 * written by {@code saveRDS}, {@code save} and lazy-load databases), following R's
 * {@code src/main/serialize.c}. It covers what data frames are made of: vectors of every atomic
 * type, lists, pairlists and attributes, symbols and references to them, the ALTREP compact
 * sequences and wrappers R 3.5+ writes; environments, closures and language objects are read and
 * returned as markers. Byte code and external pointers are refused.
 *
 * <p>Not thread-safe; one instance reads one stream.
 */
public final class RUnserializer {

    // SEXP types (Rinternals.h) and serialization pseudo-types (serialize.c).
    private static final int NILSXP = 0;
    private static final int SYMSXP = 1;
    private static final int LISTSXP = 2;
    private static final int CLOSXP = 3;
    private static final int ENVSXP = 4;
    private static final int PROMSXP = 5;
    private static final int LANGSXP = 6;
    private static final int SPECIALSXP = 7;
    private static final int BUILTINSXP = 8;
    private static final int CHARSXP = 9;
    private static final int LGLSXP = 10;
    private static final int INTSXP = 13;
    private static final int REALSXP = 14;
    private static final int CPLXSXP = 15;
    private static final int STRSXP = 16;
    private static final int DOTSXP = 17;
    private static final int VECSXP = 19;
    private static final int EXPRSXP = 20;
    private static final int BCODESXP = 21;
    private static final int EXTPTRSXP = 22;
    private static final int WEAKREFSXP = 23;
    private static final int RAWSXP = 24;
    private static final int S4SXP = 25;
    private static final int ALTREP_SXP = 238;
    private static final int ATTRLISTSXP = 239;
    private static final int ATTRLANGSXP = 240;
    private static final int BASEENV_SXP = 241;
    private static final int EMPTYENV_SXP = 242;
    private static final int BCREPREF = 243;
    private static final int BCREPDEF = 244;
    private static final int GENERICREFSXP = 245;
    private static final int CLASSREFSXP = 246;
    private static final int PERSISTSXP = 247;
    private static final int PACKAGESXP = 248;
    private static final int NAMESPACESXP = 249;
    private static final int BASENAMESPACE_SXP = 250;
    private static final int MISSINGARG_SXP = 251;
    private static final int UNBOUNDVALUE_SXP = 252;
    private static final int GLOBALENV_SXP = 253;
    private static final int NILVALUE_SXP = 254;
    private static final int REFSXP = 255;

    private static final int IS_OBJECT_BIT = 1 << 8;
    private static final int HAS_ATTR_BIT = 1 << 9;
    private static final int HAS_TAG_BIT = 1 << 10;
    private static final int LATIN1_MASK = 1 << 2;
    private static final int BYTES_MASK = 1 << 1;

    /** Nesting deeper than this is not a data set (and would overflow the stack). */
    private static final int MAX_DEPTH = 10_000;

    private final DataInputStream in;
    private final List<RObject> refs = new ArrayList<>();
    private int version;
    private int depth;

    private RUnserializer(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /**
     * Reads the format header ({@code "X\n"}, versions) and one object from {@code in}, which must
     * already be decompressed.
     *
     * @throws RDataException when the bytes are not XDR serialization or hold something unsupported
     */
    public static RObject read(InputStream in) throws IOException {
        return new RUnserializer(in).readTop();
    }

    private RObject readTop() throws IOException {
        int f1 = in.read();
        int f2 = in.read();
        if (f1 == 'A' || f1 == 'B') {
            throw new RDataException("R serialization format '" + (char) f1 + "' (ascii/native binary) is not supported;"
                    + " only XDR ('X'), the default of save() and saveRDS()");
        }
        if (f1 != 'X' || f2 != '\n') {
            throw new RDataException("not R XDR serialization: the stream starts with bytes " + f1 + " " + f2);
        }
        version = in.readInt();
        in.readInt(); // R version that wrote it
        in.readInt(); // minimal R version to read it
        if (version == 3) {
            int n = in.readInt();
            if (n < 0 || n > 1024) {
                throw new RDataException("implausible native-encoding length " + n);
            }
            in.readFully(new byte[n]); // native encoding name, e.g. "UTF-8"
        } else if (version != 2) {
            throw new RDataException("R serialization version " + version + " is not supported (2 and 3 are)");
        }
        return item();
    }

    private RObject item() throws IOException {
        if (++depth > MAX_DEPTH) {
            throw new RDataException("objects nested deeper than " + MAX_DEPTH);
        }
        try {
            return itemAt(in.readInt());
        } catch (EOFException e) {
            throw new RDataException("R serialization ends in the middle of an object", e);
        } finally {
            depth--;
        }
    }

    private RObject itemAt(int flags) throws IOException {
        int type = flags & 0xFF;
        int levels = flags >>> 12;
        boolean hasAttr = (flags & HAS_ATTR_BIT) != 0;
        boolean hasTag = (flags & HAS_TAG_BIT) != 0;
        switch (type) {
            case NILVALUE_SXP:
                return RNull.INSTANCE;
            case EMPTYENV_SXP:
                return new ROpaque("emptyenv", null);
            case BASEENV_SXP:
                return new ROpaque("baseenv", null);
            case GLOBALENV_SXP:
                return new ROpaque("globalenv", null);
            case UNBOUNDVALUE_SXP:
                return new ROpaque("unbound", null);
            case MISSINGARG_SXP:
                return new ROpaque("missing-arg", null);
            case BASENAMESPACE_SXP:
                return new ROpaque("base-namespace", null);
            case REFSXP: {
                int index = flags >>> 8;
                if (index == 0) {
                    index = in.readInt();
                }
                if (index < 1 || index > refs.size()) {
                    throw new RDataException("reference " + index + " points outside the " + refs.size()
                            + " objects read so far");
                }
                return refs.get(index - 1);
            }
            case PERSISTSXP: {
                List<String> names = stringVector();
                ROpaque o = new ROpaque("persistent " + names, null);
                refs.add(o);
                return o;
            }
            case SYMSXP: {
                RObject name = item();
                if (!(name instanceof RStrings s) || s.values().length != 1) {
                    throw new RDataException("a symbol's name is not a string");
                }
                RSymbol sym = new RSymbol(s.values()[0]);
                refs.add(sym);
                return sym;
            }
            case PACKAGESXP:
            case NAMESPACESXP: {
                List<String> info = stringVector();
                ROpaque o = new ROpaque((type == PACKAGESXP ? "package " : "namespace ") + info, null);
                refs.add(o);
                return o;
            }
            case ENVSXP: {
                in.readInt(); // locked
                ROpaque env = new ROpaque("environment", null);
                refs.add(env); // added before its contents, which may refer to it
                item(); // enclosing
                item(); // frame
                item(); // hash table
                item(); // attributes
                return env;
            }
            case LISTSXP:
            case LANGSXP:
            case CLOSXP:
            case PROMSXP:
            case DOTSXP:
            case ATTRLISTSXP:
            case ATTRLANGSXP:
                return pairList(flags);
            case ALTREP_SXP:
                return altrep();
            case CHARSXP:
                return new RStrings(new String[] {charsxp(levels)}, null);
            case SPECIALSXP:
            case BUILTINSXP: {
                int n = in.readInt();
                byte[] name = new byte[n];
                in.readFully(name);
                return new ROpaque("builtin " + new String(name, StandardCharsets.US_ASCII), null);
            }
            case BCODESXP:
            case BCREPDEF:
            case BCREPREF:
                throw new RDataException("R byte code is not supported (the object holds compiled functions)");
            case EXTPTRSXP:
            case WEAKREFSXP:
                throw new RDataException("external pointers and weak references are not supported");
            case CLASSREFSXP:
            case GENERICREFSXP:
                throw new RDataException("this R serialization holds a class reference, which R itself cannot read");
            case S4SXP: {
                ROpaque s4 = new ROpaque("S4", hasAttr ? attributes(item()) : null);
                return s4;
            }
            default:
                break;
        }
        RObject v;
        switch (type) {
            case LGLSXP: {
                int[] x = ints(length());
                v = new RLogicals(x, null);
                break;
            }
            case INTSXP:
                v = new RInts(ints(length()), null);
                break;
            case REALSXP:
                v = new RDoubles(doubles(length()), null);
                break;
            case CPLXSXP:
                v = new RComplex(doubles(Math.multiplyExact(2, length())), null);
                break;
            case STRSXP: {
                int n = length();
                String[] s = new String[n];
                for (int i = 0; i < n; i++) {
                    int f = in.readInt();
                    if ((f & 0xFF) != CHARSXP) {
                        throw new RDataException("element " + i + " of a character vector has type " + (f & 0xFF));
                    }
                    s[i] = charsxp(f >>> 12);
                }
                v = new RStrings(s, null);
                break;
            }
            case VECSXP:
            case EXPRSXP: {
                int n = length();
                List<RObject> xs = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    xs.add(item());
                }
                v = new RList(xs, null);
                break;
            }
            case RAWSXP: {
                byte[] b = new byte[length()];
                in.readFully(b);
                v = new RRaw(b, null);
                break;
            }
            case NILSXP:
                return RNull.INSTANCE;
            default:
                throw new RDataException("unknown R serialization type " + type);
        }
        return hasAttr ? withAttributes(v, attributes(item())) : v;
    }

    /** A cons-cell chain, read iteratively along the CDR (long pairlists would overflow the stack). */
    private RObject pairList(int firstFlags) throws IOException {
        int type = firstFlags & 0xFF;
        String kind = switch (type) {
            case LANGSXP, ATTRLANGSXP -> "LANGSXP";
            case CLOSXP -> "CLOSXP";
            case PROMSXP -> "PROMSXP";
            case DOTSXP -> "DOTSXP";
            default -> "LISTSXP";
        };
        List<String> tags = new ArrayList<>();
        List<RObject> values = new ArrayList<>();
        Map<String, RObject> attrs = null;
        int flags = firstFlags;
        while (true) {
            boolean hasAttr = (flags & HAS_ATTR_BIT) != 0 || (flags & 0xFF) == ATTRLISTSXP
                    || (flags & 0xFF) == ATTRLANGSXP;
            boolean hasTag = (flags & HAS_TAG_BIT) != 0;
            Map<String, RObject> a = hasAttr ? attributes(item()) : null;
            if (attrs == null) {
                attrs = a;
            }
            RObject tag = hasTag ? item() : null;
            tags.add(tag instanceof RSymbol s ? s.name() : tag == null ? null : String.valueOf(tag));
            values.add(item());
            int next = in.readInt();
            int nt = next & 0xFF;
            if (nt == LISTSXP || nt == ATTRLISTSXP || (type == DOTSXP && nt == DOTSXP)) {
                flags = next;
                continue;
            }
            RObject rest = itemAt(next);
            if (!(rest instanceof RNull)) {
                // An improper tail (e.g. a closure's body): keep it as an untagged last cell.
                tags.add(null);
                values.add(rest);
            }
            return new RPairList(kind, tags, values, attrs);
        }
    }

    private RObject altrep() throws IOException {
        RObject info = item();
        RObject state = item();
        RObject attr = item();
        String cls = info instanceof RPairList p && !p.values().isEmpty() && p.values().get(0) instanceof RSymbol s
                ? s.name() : String.valueOf(info);
        RObject v;
        switch (cls) {
            case "compact_intseq": {
                double[] st = numbers(state, cls);
                int n = (int) st[0];
                int n1 = (int) st[1];
                int inc = (int) st[2];
                int[] x = new int[n];
                for (int i = 0; i < n; i++) {
                    x[i] = n1 + i * inc;
                }
                v = new RInts(x, null);
                break;
            }
            case "compact_realseq": {
                double[] st = numbers(state, cls);
                int n = (int) st[0];
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = st[1] + i * st[2];
                }
                v = new RDoubles(x, null);
                break;
            }
            case "wrap_integer":
            case "wrap_real":
            case "wrap_logical":
            case "wrap_string":
            case "wrap_complex":
            case "wrap_raw":
            case "wrap_list":
                if (!(state instanceof RList l) || l.values().isEmpty()) {
                    throw new RDataException("ALTREP " + cls + " state is not list(x, meta)");
                }
                v = l.values().get(0);
                break;
            case "deferred_string": {
                RObject arg = state instanceof RPairList p && !p.values().isEmpty() ? p.values().get(0) : state;
                if (arg instanceof RInts ints) {
                    String[] s = new String[ints.values().length];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = ints.values()[i] == RObject.NA_INTEGER ? null : Integer.toString(ints.values()[i]);
                    }
                    v = new RStrings(s, null);
                    break;
                }
                throw new RDataException("ALTREP deferred_string over " + arg.getClass().getSimpleName()
                        + " is not supported (only over integers)");
            }
            default:
                throw new RDataException("ALTREP class '" + cls + "' is not supported");
        }
        return attr instanceof RPairList p ? withAttributes(v, attributes(p)) : v;
    }

    private static double[] numbers(RObject state, String cls) throws RDataException {
        if (state instanceof RDoubles d && d.values().length == 3) {
            return d.values();
        }
        if (state instanceof RInts i && i.values().length == 3) {
            return new double[] {i.values()[0], i.values()[1], i.values()[2]};
        }
        throw new RDataException("ALTREP " + cls + " state is not (n, start, step)");
    }

    private Map<String, RObject> attributes(RObject pairs) throws RDataException {
        if (pairs instanceof RNull) {
            return null;
        }
        if (!(pairs instanceof RPairList p)) {
            throw new RDataException("attributes are not a pairlist but " + pairs.getClass().getSimpleName());
        }
        Map<String, RObject> m = new LinkedHashMap<>();
        for (int i = 0; i < p.values().size(); i++) {
            m.put(p.tags().get(i) == null ? "" : p.tags().get(i), p.values().get(i));
        }
        return m;
    }

    private static RObject withAttributes(RObject v, Map<String, RObject> a) {
        if (a == null) {
            return v;
        }
        if (v instanceof RInts x) {
            return new RInts(x.values(), a);
        } else if (v instanceof RLogicals x) {
            return new RLogicals(x.values(), a);
        } else if (v instanceof RDoubles x) {
            return new RDoubles(x.values(), a);
        } else if (v instanceof RStrings x) {
            return new RStrings(x.values(), a);
        } else if (v instanceof RList x) {
            return new RList(x.values(), a);
        } else if (v instanceof RRaw x) {
            return new RRaw(x.values(), a);
        } else if (v instanceof RComplex x) {
            return new RComplex(x.values(), a);
        }
        return v;
    }

    private List<String> stringVector() throws IOException {
        if (in.readInt() != 0) {
            throw new RDataException("malformed string vector in a persistent/namespace reference");
        }
        int n = in.readInt();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RObject s = item();
            out.add(s instanceof RStrings x && x.values().length == 1 ? x.values()[0] : String.valueOf(s));
        }
        return out;
    }

    private String charsxp(int levels) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null; // NA_character_
        }
        if (n < 0) {
            throw new RDataException("negative string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        // UTF-8 unless flagged Latin-1; "bytes" and native strings are read as UTF-8 (ASCII-safe).
        Charset cs = (levels & LATIN1_MASK) != 0 && (levels & BYTES_MASK) == 0 ? StandardCharsets.ISO_8859_1
                : StandardCharsets.UTF_8;
        return new String(b, cs);
    }

    private int length() throws IOException {
        int n = in.readInt();
        if (n == -1) {
            long upper = in.readInt() & 0xFFFF_FFFFL;
            long lower = in.readInt() & 0xFFFF_FFFFL;
            long len = (upper << 32) + lower;
            throw new RDataException("a long vector of " + len + " elements does not fit a Java array");
        }
        if (n < 0) {
            throw new RDataException("negative vector length " + n);
        }
        return n;
    }

    private int[] ints(int n) throws IOException {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = in.readInt();
        }
        return x;
    }

    private double[] doubles(int n) throws IOException {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Double.longBitsToDouble(in.readLong());
        }
        return x;
    }
}
