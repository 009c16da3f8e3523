package io.ctta.runtime.checkpoint;

import io.ctta.runtime.adapt.StrategyState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checkpoint file format, version 2 (version 1 files stay readable). Every number is
 * little-endian; {@code docs/checkpoints.md} has the same table with the reasons.
 *
 * <p>Versions 1 and 2 share one layout. Version 2 promises that the extras hold the state of the
 * whole pipeline the writer had (drift monitor, evaluator windows, feedback joiner), captured at
 * the same point of the stream as the model; a version 1 file predates that, so a reader restores
 * its model and starts those parts fresh. A build that reads only version 1 refuses a version 2
 * file instead of silently dropping its pipeline state.
 *
 * <pre>
 * preamble  8   magic "CTTACKPT" (ASCII)
 *           4   int32 format version (2; 1 is read too)
 *           8   int64 total file length in bytes, trailer included
 *           4   int32 header length H, 1..16 MiB
 * header    H   str pipeline, str strategy, i64 ownerEpoch, i64 sequence, i64 recordsApplied,
 *               i64 createdAtMs, str configHash, i64 state.modelVersion,
 *               i32 T, T x {str topic, i32 P, P x {i32 partition, i64 nextOffset}},
 *               i32 S, S x {str name, f64 value}
 * tensors       i32 N, N x {str name, i32 rank R (0..32), R x i64 dim, prod(dim) x f32}
 * extras        i32 X, X x {str name, i32 length L, L bytes}
 * trailer   32  SHA-256 of every byte before it
 * str = i32 byte length (0..65535) + UTF-8 bytes
 * </pre>
 *
 * <p>Topics, partitions, scalars, tensors and extras are written in ascending order of their keys,
 * so one checkpoint always encodes to the same bytes, and a reader rejects any other order
 * (duplicates included). Floats are written by their raw IEEE-754 bits (NaN payloads and
 * {@code -0.0} survive).
 *
 * <p>Reading is two passes: the preamble and the SHA-256 are checked first, so a flipped bit
 * anywhere is reported as a checksum mismatch; then the content is parsed, with every count and
 * length checked against the bytes that remain before anything is allocated.
 */
public final class CheckpointFormat {

    /** The 8 magic bytes every checkpoint file starts with. */
    public static final String MAGIC = "CTTACKPT";
    /** The format version this build writes (and reads). */
    public static final int VERSION = 2;
    /** The oldest format version this build still reads. */
    public static final int OLDEST_READABLE = 1;
    /** Bytes before the header: magic, version, total length, header length. */
    public static final int PREAMBLE_BYTES = 24;
    /** Bytes of the SHA-256 trailer. */
    public static final int TRAILER_BYTES = 32;
    /** The largest header accepted. */
    public static final int MAX_HEADER_BYTES = 16 << 20;
    /** The longest string (in UTF-8 bytes) accepted. */
    public static final int MAX_STRING_BYTES = 65_535;
    /** The highest tensor rank accepted. */
    public static final int MAX_RANK = 32;

    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;
    /** The smallest valid file: preamble, a header of pipeline+strategy+... at least, three counts, trailer. */
    private static final long MIN_FILE = PREAMBLE_BYTES + 1 + 4 + 4 + TRAILER_BYTES;

    private CheckpointFormat() {}

    /**
     * Writes {@code c} to {@code out} (which is not closed) and returns the SHA-256 trailer as
     * lower-case hex.
     *
     * @throws IllegalArgumentException when {@code c} is not in the current format version, a
     *     tensor's data length does not match its shape, or a name is too long
     */
    public static String write(Checkpoint c, OutputStream out) throws IOException {
        if (c.formatVersion() != VERSION) {
            throw new IllegalArgumentException("this build writes format version " + VERSION + " only, the checkpoint"
                    + " says " + c.formatVersion());
        }
        byte[] header = header(c);
        Map<String, StrategyState.Tensor> tensors = new TreeMap<>(c.state().tensors());
        Map<String, byte[]> extras = c.extraView();
        long total = PREAMBLE_BYTES + header.length + 4L + 4L + TRAILER_BYTES;
        for (Map.Entry<String, StrategyState.Tensor> t : tensors.entrySet()) {
            long[] shape = t.getValue().shape();
            if (shape.length > MAX_RANK) {
                throw new IllegalArgumentException("tensor '" + t.getKey() + "' has rank " + shape.length
                        + "; at most " + MAX_RANK + " is supported");
            }
            long n = elements(shape);
            if (n < 0 || n != t.getValue().data().length) {
                throw new IllegalArgumentException("tensor '" + t.getKey() + "' has shape " + Arrays.toString(shape)
                        + " but " + t.getValue().data().length + " values");
            }
            total += strBytes(t.getKey()) + 4L + 8L * shape.length + 4L * n;
        }
        for (Map.Entry<String, byte[]> x : extras.entrySet()) {
            total += strBytes(x.getKey()) + 4L + x.getValue().length;
        }
        OutputStream buffered = new BufferedOutputStream(out, CHUNK);
        Out o = new Out(buffered);
        o.raw(MAGIC_BYTES);
        o.i32(VERSION);
        o.i64(total);
        o.i32(header.length);
        o.raw(header);
        o.i32(tensors.size());
        for (Map.Entry<String, StrategyState.Tensor> t : tensors.entrySet()) {
            o.str(t.getKey());
            long[] shape = t.getValue().shape();
            o.i32(shape.length);
            for (long d : shape) {
                o.i64(d);
            }
            o.floats(t.getValue().data());
        }
        o.i32(extras.size());
        for (Map.Entry<String, byte[]> x : extras.entrySet()) {
            o.str(x.getKey());
            o.i32(x.getValue().length);
            o.raw(x.getValue());
        }
        if (o.count + TRAILER_BYTES != total) {
            throw new IllegalStateException("encoder wrote " + (o.count + TRAILER_BYTES) + " bytes, planned " + total);
        }
        byte[] sha = o.digest.digest();
        buffered.write(sha);
        buffered.flush();
        return HexFormat.of().formatHex(sha);
    }

    /** {@code c} as bytes (for small checkpoints and tests; files go through {@link #write}). */
    public static byte[] encode(Checkpoint c) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            write(c, b);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return b.toByteArray();
    }

    /**
     * Reads and validates a checkpoint file.
     *
     * @throws CorruptCheckpointException when the file fails any check; the message says which
     * @throws IOException when it cannot be read at all (e.g. {@link java.nio.file.NoSuchFileException})
     */
    public static Checkpoint read(Path file) throws IOException {
        return readVerified(file).checkpoint();
    }

    /** A checkpoint with the SHA-256 its file ends with. */
    record Verified(Checkpoint checkpoint, String sha256) {}

    /** {@link #read} that also returns the SHA-256 trailer, for comparison with a manifest. */
    static Verified readVerified(Path file) throws IOException {
        long size = Files.size(file);
        return parse(() -> Files.newInputStream(file), size, file);
    }

    /** Decodes bytes made by {@link #encode}, with the same checks as {@link #read}. */
    public static Checkpoint decode(byte[] bytes) throws CorruptCheckpointException {
        try {
            return parse(() -> new ByteArrayInputStream(bytes), bytes.length, null).checkpoint();
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("in-memory read failed", e);
        }
    }

    /**
     * Checks the preamble and the SHA-256 of a file without parsing its content, and returns the
     * SHA-256 as lower-case hex (what a manifest records).
     *
     * @throws CorruptCheckpointException when the file fails a check
     */
    public static String verify(Path file) throws IOException {
        long size = Files.size(file);
        return verify(() -> Files.newInputStream(file), size, file);
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private static Verified parse(Opener opener, long size, Path file) throws IOException {
        String sha = verify(opener, size, file);
        try (InputStream raw = opener.open()) {
            In in = new In(new BufferedInputStream(raw, CHUNK), size - TRAILER_BYTES, file);
            in.skip(MAGIC_BYTES.length);
            int version = in.i32();
            in.skip(8);
            int headerLength = in.i32();
            long headerEnd = PREAMBLE_BYTES + (long) headerLength;
            String pipeline = in.str("pipeline");
            String strategy = in.str("strategy");
            long epoch = in.i64();
            long sequence = in.i64();
            long records = in.i64();
            long created = in.i64();
            String configHash = in.str("configHash");
            long modelVersion = in.i64();
            int topics = in.count("topic", 4 + 4);
            Map<String, Map<Integer, Long>> offsets = new LinkedHashMap<>();
            String prevTopic = null;
            for (int t = 0; t < topics; t++) {
                String topic = in.str("topic name");
                prevTopic = in.ascending("topic", prevTopic, topic);
                int parts = in.count("partition of topic '" + topic + "'", 4 + 8);
                Map<Integer, Long> m = new LinkedHashMap<>();
                int prevPart = -1;
                for (int p = 0; p < parts; p++) {
                    int partition = in.i32();
                    long next = in.i64();
                    if (partition <= prevPart) {
                        throw in.corrupt("partitions of topic '" + topic + "' are not in strictly ascending order ("
                                + partition + " after " + prevPart + ")");
                    }
                    if (next < 0) {
                        throw in.corrupt("negative next offset " + next + " for " + topic + "-" + partition);
                    }
                    prevPart = partition;
                    m.put(partition, next);
                }
                offsets.put(topic, m);
            }
            int scalarCount = in.count("scalar", 4 + 8);
            Map<String, Double> scalars = new LinkedHashMap<>();
            String prevScalar = null;
            for (int s = 0; s < scalarCount; s++) {
                String name = in.str("scalar name");
                prevScalar = in.ascending("scalar", prevScalar, name);
                scalars.put(name, Double.longBitsToDouble(in.i64()));
            }
            if (in.position() != headerEnd) {
                throw in.corrupt("the header declares " + headerLength + " bytes but its fields take "
                        + (in.position() - PREAMBLE_BYTES));
            }
            int tensorCount = in.count("tensor", 4 + 4);
            Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
            String prevTensor = null;
            for (int i = 0; i < tensorCount; i++) {
                String name = in.str("tensor name");
                prevTensor = in.ascending("tensor", prevTensor, name);
                int rank = in.i32();
                if (rank < 0 || rank > MAX_RANK) {
                    throw in.corrupt("tensor '" + name + "' has rank " + rank + "; expected 0.." + MAX_RANK);
                }
                in.need(8L * rank, "shape of tensor '" + name + "'");
                long[] shape = new long[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.i64();
                }
                long n = elements(shape);
                if (n < 0 || n > MAX_ARRAY) {
                    throw in.corrupt("tensor '" + name + "' has shape " + Arrays.toString(shape)
                            + ", which is negative or too large for one array");
                }
                in.need(4L * n, "values of tensor '" + name + "' " + Arrays.toString(shape));
                tensors.put(name, new StrategyState.Tensor(shape, in.floats((int) n)));
            }
            int extraCount = in.count("extra blob", 4 + 4);
            Map<String, byte[]> extra = new LinkedHashMap<>();
            String prevExtra = null;
            for (int i = 0; i < extraCount; i++) {
                String name = in.str("extra name");
                prevExtra = in.ascending("extra blob", prevExtra, name);
                int length = in.i32();
                if (length < 0) {
                    throw in.corrupt("extra blob '" + name + "' has negative length " + length);
                }
                in.need(length, "extra blob '" + name + "'");
                extra.put(name, in.bytes(length));
            }
            if (in.remaining() != 0) {
                throw in.corrupt(in.remaining() + " unexplained bytes before the trailer");
            }
            try {
                StrategyState state = new StrategyState(strategy, modelVersion, tensors, scalars);
                return new Verified(new Checkpoint(version, pipeline, strategy, epoch, sequence, offsets, state, extra,
                        records, configHash, created), sha);
            } catch (IllegalArgumentException e) {
                throw new CorruptCheckpointException(file, "its content is invalid: " + e.getMessage());
            }
        }
    }

    private static String verify(Opener opener, long size, Path file) throws IOException {
        if (size < MIN_FILE) {
            throw new CorruptCheckpointException(file, "truncated: " + size + " bytes, but a checkpoint has at least "
                    + MIN_FILE);
        }
        MessageDigest digest = sha256();
        byte[] trailer = new byte[TRAILER_BYTES];
        try (InputStream in = opener.open()) {
            byte[] pre = in.readNBytes(PREAMBLE_BYTES);
            if (pre.length < PREAMBLE_BYTES) {
                throw new CorruptCheckpointException(file, "truncated inside the preamble");
            }
            ByteBuffer b = ByteBuffer.wrap(pre).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[MAGIC_BYTES.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC_BYTES)) {
                throw new CorruptCheckpointException(file, "not a ctta checkpoint: the magic is "
                        + HexFormat.of().formatHex(magic) + ", expected \"" + MAGIC + "\"");
            }
            int version = b.getInt();
            if (version < OLDEST_READABLE || version > VERSION) {
                throw new CorruptCheckpointException(file, "unsupported format version " + version
                        + "; this build reads versions " + OLDEST_READABLE + " to " + VERSION);
            }
            long total = b.getLong();
            if (total != size) {
                throw new CorruptCheckpointException(file, total > size
                        ? "truncated: the file has " + size + " of its " + total + " bytes"
                        : "the file has " + size + " bytes but declares " + total + " (trailing bytes)");
            }
            int headerLength = b.getInt();
            if (headerLength < 1 || headerLength > MAX_HEADER_BYTES
                    || PREAMBLE_BYTES + (long) headerLength + 8 + TRAILER_BYTES > size) {
                throw new CorruptCheckpointException(file, "header length " + headerLength + " is out of bounds for a "
                        + size + "-byte file (at most " + MAX_HEADER_BYTES + ")");
            }
            digest.update(pre);
            long left = size - TRAILER_BYTES - PREAMBLE_BYTES;
            byte[] buf = new byte[CHUNK];
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new CorruptCheckpointException(file, "truncated while reading (the file shrank)");
                }
                digest.update(buf, 0, r);
                left -= r;
            }
            if (in.readNBytes(trailer, 0, TRAILER_BYTES) != TRAILER_BYTES) {
                throw new CorruptCheckpointException(file, "truncated inside the SHA-256 trailer");
            }
        }
        byte[] computed = digest.digest();
        if (!MessageDigest.isEqual(computed, trailer)) {
            throw new CorruptCheckpointException(file, "SHA-256 mismatch: stored " + HexFormat.of().formatHex(trailer)
                    + ", computed " + HexFormat.of().formatHex(computed) + " (a flipped bit or a partial write)");
        }
        return HexFormat.of().formatHex(computed);
    }

    private static byte[] header(Checkpoint c) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Out o = new Out(b);
        o.str(c.pipeline());
        o.str(c.strategy());
        o.i64(c.ownerEpoch());
        o.i64(c.sequence());
        o.i64(c.recordsApplied());
        o.i64(c.createdAtMs());
        o.str(c.configHash());
        o.i64(c.state().modelVersion());
        o.i32(c.offsets().size());
        for (Map.Entry<String, Map<Integer, Long>> t : c.offsets().entrySet()) {
            o.str(t.getKey());
            o.i32(t.getValue().size());
            for (Map.Entry<Integer, Long> p : t.getValue().entrySet()) {
                o.i32(p.getKey());
                o.i64(p.getValue());
            }
        }
        Map<String, Double> scalars = new TreeMap<>(c.state().scalars());
        o.i32(scalars.size());
        for (Map.Entry<String, Double> s : scalars.entrySet()) {
            o.str(s.getKey());
            o.i64(Double.doubleToRawLongBits(s.getValue()));
        }
        byte[] h = b.toByteArray();
        if (h.length > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the checkpoint header takes " + h.length + " bytes, more than the "
                    + MAX_HEADER_BYTES + " allowed (too many partitions or scalars)");
        }
        return h;
    }

    /** The element count of a shape, or -1 when a dimension is negative or the product overflows. */
    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            if (d != 0 && n > Long.MAX_VALUE / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    private static long strBytes(String s) {
        return 4L + utf8(s).length;
    }

    private static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("name '" + s.substring(0, 40) + "...' takes " + b.length
                    + " UTF-8 bytes; at most " + MAX_STRING_BYTES + " are allowed");
        }
        return b;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** A little-endian writer that digests and counts everything it writes. */
    private static final class Out {
        final OutputStream out;
        final MessageDigest digest = sha256();
        final ByteBuffer scratch = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long count;

        Out(OutputStream out) {
            this.out = out;
        }

        void raw(byte[] b) throws IOException {
            out.write(b);
            digest.update(b);
            count += b.length;
        }

        private void flushScratch() throws IOException {
            out.write(scratch.array(), 0, scratch.position());
            digest.update(scratch.array(), 0, scratch.position());
            count += scratch.position();
            scratch.clear();
        }

        void i32(int v) throws IOException {
            scratch.putInt(v);
            flushScratch();
        }

        void i64(long v) throws IOException {
            scratch.putLong(v);
            flushScratch();
        }

        void str(String s) throws IOException {
            byte[] b = utf8(s);
            i32(b.length);
            raw(b);
        }

        void floats(float[] data) throws IOException {
            int off = 0;
            while (off < data.length) {
                int n = Math.min(data.length - off, CHUNK / 4);
                // FloatBuffer.put stores the raw bits, so NaN payloads are kept.
                scratch.asFloatBuffer().put(data, off, n);
                scratch.position(4 * n);
                flushScratch();
                off += n;
            }
        }
    }

    /** A little-endian reader that knows how many bytes remain before the trailer. */
    private static final class In {
        final InputStream in;
        final long end;
        final Path file;
        long pos;

        In(InputStream in, long end, Path file) {
            this.in = in;
            this.end = end;
            this.file = file;
        }

        long position() {
            return pos;
        }

        long remaining() {
            return end - pos;
        }

        CorruptCheckpointException corrupt(String what) {
            return new CorruptCheckpointException(file, "at byte " + pos + ": " + what);
        }

        void need(long n, String what) throws CorruptCheckpointException {
            if (n < 0 || n > remaining()) {
                throw corrupt(what + " needs " + n + " bytes but only " + remaining() + " remain");
            }
        }

        byte[] bytes(int n) throws IOException {
            need(n, "a field");
            byte[] b = new byte[n];
            if (in.readNBytes(b, 0, n) != n) {
                throw corrupt("unexpected end of file");
            }
            pos += n;
            return b;
        }

        void skip(int n) throws IOException {
            bytes(n);
        }

        int i32() throws IOException {
            return ByteBuffer.wrap(bytes(4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }

        long i64() throws IOException {
            return ByteBuffer.wrap(bytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        /** A count of items each at least {@code minBytes} long, checked against what remains. */
        int count(String what, int minBytes) throws IOException {
            int n = i32();
            if (n < 0 || (long) n * minBytes > remaining()) {
                throw corrupt(what + " count " + n + " is negative or exceeds the " + remaining() + " remaining bytes");
            }
            return n;
        }

        String str(String what) throws IOException {
            int n = i32();
            if (n < 0 || n > MAX_STRING_BYTES) {
                throw corrupt(what + " has length " + n + "; expected 0.." + MAX_STRING_BYTES);
            }
            need(n, what);
            byte[] b = bytes(n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw corrupt(what + " is not valid UTF-8");
            }
        }

        String ascending(String what, String previous, String current) throws CorruptCheckpointException {
            if (previous != null && previous.compareTo(current) >= 0) {
                throw corrupt(what + " names are not in strictly ascending order ('" + current + "' after '"
                        + previous + "')");
            }
            return current;
        }

        float[] floats(int n) throws IOException {
            float[] out = new float[n];
            byte[] buf = new byte[Math.min(CHUNK, 4 * Math.max(n, 1))];
            int off = 0;
            while (off < n) {
                int k = Math.min(n - off, buf.length / 4);
                int got = in.readNBytes(buf, 0, 4 * k);
                if (got != 4 * k) {
                    throw corrupt("unexpected end of file");
                }
                ByteBuffer.wrap(buf, 0, 4 * k).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, off, k);
                off += k;
                pos += 4L * k;
            }
            return out;
        }
    }
}
