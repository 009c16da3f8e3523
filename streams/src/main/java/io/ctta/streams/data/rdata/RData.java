package io.ctta.streams.data.rdata;

import io.ctta.streams.data.rdata.RObject.RDoubles;
import io.ctta.streams.data.rdata.RObject.RInts;
import io.ctta.streams.data.rdata.RObject.RList;
import io.ctta.streams.data.rdata.RObject.RLogicals;
import io.ctta.streams.data.rdata.RObject.RPairList;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Reads R data files in pure Java: {@code .rds} ({@code saveRDS}), {@code .rda}/{@code .RData}
 * ({@code save}: an {@code "RDX2\n"}/{@code "RDX3\n"} header and a pairlist of named objects) and
 * the lazy-load databases installed packages keep their data sets in ({@code data/Rdata.rdx} +
 * {@code data/Rdata.rdb}). Objects are decoded by {@link RUnserializer}.
 *
 * <p>Compression: gzip and zlib (what R uses by default and what lazy-load databases of CRAN
 * packages normally hold) and uncompressed files are read; bzip2- and xz-compressed files are
 * recognised and refused with a message (the JDK has no decoder for them), e.g. re-save with
 * {@code save(..., compress = "gzip")}.
 */
public final class RData {

    private RData() {}

    /** Reads the one object of an {@code .rds} file. */
    public static RObject readRds(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return RUnserializer.read(in);
        }
    }

    /**
     * Reads every object of an {@code .rda}/{@code .RData} file, by name, in file order.
     *
     * @throws RDataException when the header is not {@code RDX2}/{@code RDX3}
     */
    public static Map<String, RObject> readRda(Path file) throws IOException {
        try (InputStream in = open(file)) {
            byte[] magic = in.readNBytes(5);
            String m = new String(magic, StandardCharsets.US_ASCII);
            if (!m.equals("RDX2\n") && !m.equals("RDX3\n")) {
                throw new RDataException(file + " is not an R data file saved by save(): it starts with '"
                        + m.replace("\n", "\\n") + "', not RDX2/RDX3");
            }
            RObject top = RUnserializer.read(in);
            if (!(top instanceof RPairList p)) {
                throw new RDataException(file + ": the saved objects are not a pairlist");
            }
            return p.named();
        }
    }

    /**
     * The object {@code name} of a lazy-load database ({@code base.rdx} + {@code base.rdb}), e.g.
     * {@code readLazyLoad(Path.of("/usr/lib/R/site-library/dslabs/data/Rdata"), "movielens")}.
     *
     * @throws NoSuchFileException when either file is missing
     * @throws RDataException when the database has no such object (the message lists some names)
     */
    public static RObject readLazyLoad(Path base, String name) throws IOException {
        Index index = index(base);
        int[] at = index.variables.get(name);
        if (at == null) {
            throw new RDataException(base + ".rdb has no object '" + name + "'; it has "
                    + String.join(", ", index.variables.keySet().stream().limit(40).toList())
                    + (index.variables.size() > 40 ? ", ..." : ""));
        }
        Path rdb = base.resolveSibling(base.getFileName() + ".rdb");
        byte[] blob = new byte[at[1]];
        try (RandomAccessFile f = new RandomAccessFile(rdb.toFile(), "r")) {
            if ((long) at[0] + at[1] > f.length()) {
                throw new RDataException(rdb + " is shorter than its index says (" + name + " at " + at[0] + "+" + at[1]
                        + ", file " + f.length() + " bytes)");
            }
            f.seek(at[0]);
            f.readFully(blob);
        }
        return RUnserializer.read(new ByteArrayInputStream(decompressBlob(blob, index.compression, name)));
    }

    /** The object names of a lazy-load database, in index order. */
    public static java.util.Set<String> lazyLoadNames(Path base) throws IOException {
        return Collections.unmodifiableSet(index(base).variables.keySet());
    }

    private record Index(Map<String, int[]> variables, int compression) {}

    private static Index index(Path base) throws IOException {
        Path rdx = base.resolveSibling(base.getFileName() + ".rdx");
        Path rdb = base.resolveSibling(base.getFileName() + ".rdb");
        for (Path p : new Path[] {rdx, rdb}) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null, "lazy-load database file not found");
            }
        }
        RObject top = readRds(rdx);
        if (!(top instanceof RList l)) {
            throw new RDataException(rdx + " is not a lazy-load index (a list)");
        }
        Map<String, RObject> parts = named(l);
        if (!(parts.get("variables") instanceof RList vars)) {
            throw new RDataException(rdx + " has no 'variables' list");
        }
        Map<String, int[]> variables = new LinkedHashMap<>();
        Map<String, RObject> byName = named(vars);
        for (Map.Entry<String, RObject> e : byName.entrySet()) {
            if (e.getValue() instanceof RInts i && i.values().length == 2) {
                variables.put(e.getKey(), i.values().clone());
            } else if (e.getValue() instanceof RDoubles d && d.values().length == 2) {
                variables.put(e.getKey(), new int[] {(int) d.values()[0], (int) d.values()[1]});
            } else {
                throw new RDataException(rdx + ": entry '" + e.getKey() + "' is not (offset, length)");
            }
        }
        int compression = 1;
        RObject c = parts.get("compressed");
        if (c instanceof RLogicals b && b.values().length == 1) {
            compression = b.values()[0] == 1 ? 1 : 0;
        } else if (c instanceof RInts i && i.values().length == 1) {
            compression = i.values()[0];
        } else if (c instanceof RDoubles d && d.values().length == 1) {
            compression = (int) d.values()[0];
        }
        return new Index(variables, compression);
    }

    private static Map<String, RObject> named(RList l) throws RDataException {
        if (!(l.attribute("names") instanceof RObject.RStrings names) || names.values().length != l.values().size()) {
            throw new RDataException("a list without names where names are required");
        }
        Map<String, RObject> m = new LinkedHashMap<>();
        for (int i = 0; i < names.values().length; i++) {
            m.put(names.values()[i], l.values().get(i));
        }
        return m;
    }

    /**
     * A lazy-load blob: a 4-byte big-endian uncompressed length, then (compression 1) a zlib
     * stream, or (2 and 3) a type byte ('0' stored, '1' zlib, '2' bzip2, 'Z' xz) and the data.
     */
    static byte[] decompressBlob(byte[] blob, int compression, String name) throws IOException {
        if (compression == 0) {
            return blob;
        }
        if (blob.length < 4) {
            throw new RDataException("lazy-load entry '" + name + "' is truncated");
        }
        int outLen = ((blob[0] & 0xFF) << 24) | ((blob[1] & 0xFF) << 16) | ((blob[2] & 0xFF) << 8) | (blob[3] & 0xFF);
        int start = 4;
        char type = '1';
        if (compression == 2 || compression == 3) {
            type = (char) blob[4];
            start = 5;
        }
        switch (type) {
            case '0':
                return Arrays.copyOfRange(blob, start, blob.length);
            case '1':
                return inflate(blob, start, outLen, name);
            case '2':
                throw new RDataException("lazy-load entry '" + name + "' is bzip2-compressed, which this reader does"
                        + " not support (the JDK has no bzip2 decoder)");
            case 'Z':
                throw new RDataException("lazy-load entry '" + name + "' is xz-compressed, which this reader does not"
                        + " support (the JDK has no xz decoder)");
            default:
                throw new RDataException("lazy-load entry '" + name + "' has unknown compression type '" + type + "'");
        }
    }

    private static byte[] inflate(byte[] blob, int start, int outLen, String name) throws IOException {
        if (outLen < 0) {
            throw new RDataException("lazy-load entry '" + name + "' claims a negative length");
        }
        Inflater inf = new Inflater();
        try {
            inf.setInput(blob, start, blob.length - start);
            byte[] out = new byte[outLen];
            int n = 0;
            while (n < outLen && !inf.finished()) {
                int got = inf.inflate(out, n, outLen - n);
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != outLen) {
                throw new RDataException("lazy-load entry '" + name + "' inflates to " + n + " bytes, expected " + outLen);
            }
            return out;
        } catch (DataFormatException e) {
            throw new RDataException("lazy-load entry '" + name + "' is not valid zlib data: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    /** Opens {@code file}, decompressing gzip; refuses bzip2 and xz with a message. */
    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(8);
            byte[] head = raw.readNBytes(6);
            raw.reset();
            if (head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
                return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            }
            if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
                throw new RDataException(file + " is bzip2-compressed, which this reader does not support; re-save it"
                        + " with compress = \"gzip\"");
            }
            if (head.length >= 6 && (head[0] & 0xFF) == 0xFD && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                    && head[4] == 'Z' && head[5] == 0) {
                throw new RDataException(file + " is xz-compressed, which this reader does not support; re-save it"
                        + " with compress = \"gzip\"");
            }
            return raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
