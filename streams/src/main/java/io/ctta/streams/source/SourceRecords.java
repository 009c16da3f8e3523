package io.ctta.streams.source;

import io.ctta.streams.image.Downscale;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.MetadataKeys;
import io.ctta.streams.record.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The input records of a replay, from a source's samples in order: the sample's id, domain, label,
 * features and metadata, one stream key, and event times {@code startMs, startMs + 1, ...} (one
 * millisecond per record, so event time orders the stream; the dataset's own time, where it has one,
 * travels in the {@code time} metadata).
 *
 * <p>A sample whose encoded record would exceed {@code maxRecordBytes} is skipped and counted in the
 * source's {@link SkipLog} ({@link SkipLog.Reason#TOO_LARGE}), with the fix in the message (the largest
 * {@code --max-side} that fits), instead of failing the producer on the first large camera-trap
 * photograph. The limit is given to the source first ({@link DatasetSource#limitRecordBytes}), so an
 * image reader refuses such an image from its header instead of decoding it.
 */
public final class SourceRecords implements Iterator<InferenceRecord> {

    /**
     * 1,000,000 bytes: under Kafka's default {@code max.request.size} of 1 MiB (which also has to hold the
     * key, the headers and the batch framing) and so under ctta pipelines' default record limit.
     */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1_000_000;

    private final Iterator<Sample> samples;
    private final SkipLog skips;
    private final String key;
    private final long startMs;
    private final int maxRecordBytes;
    private long seq;
    private InferenceRecord next;

    /** Records of {@code source} under {@code key}, at most {@link #DEFAULT_MAX_RECORD_BYTES} each. */
    public SourceRecords(DatasetSource source, String key, long startMs) {
        this(source, key, startMs, DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * @param key            the stream key of every record (one key keeps the stream in order on one partition)
     * @param maxRecordBytes largest encoded record to emit
     */
    public SourceRecords(DatasetSource source, String key, long startMs, int maxRecordBytes) {
        this.key = Objects.requireNonNull(key, "key");
        this.startMs = startMs;
        if (maxRecordBytes < 1024) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 1024, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
        // Before the pass: an image reader can then refuse an image too large for a record from its header.
        source.limitRecordBytes(maxRecordBytes);
        this.samples = source.samples();
        this.skips = source.skips();
    }

    @Override
    public boolean hasNext() {
        while (next == null && samples.hasNext()) {
            Sample s = samples.next();
            long bytes = encodedBytes(s);
            if (bytes > maxRecordBytes) {
                skips.skip(SkipLog.Reason.TOO_LARGE, where(s), tooLarge(s, bytes));
                continue;
            }
            next = new InferenceRecord(s.id(), key, startMs + seq++, s.domain(), s.label(), s.features(), s.metadata());
        }
        return next != null;
    }

    @Override
    public InferenceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        InferenceRecord r = next;
        next = null;
        return r;
    }

    /** The sample's id, and its source file and metadata row where its metadata has them. */
    static String where(Sample s) {
        String source = s.metadata().get(MetadataKeys.SOURCE);
        String line = s.metadata().get(MetadataKeys.SOURCE_LINE);
        if (source == null && line == null) {
            return s.id();
        }
        return s.id() + " (" + (source == null ? "" : source) + (source != null && line != null ? ", " : "")
                + (line == null ? "" : "metadata line " + line) + ")";
    }

    /** Why the sample cannot be sent, and the fix: the largest {@code --max-side} that fits, for an image. */
    private String tooLarge(Sample s, long bytes) {
        Tensor t = s.features();
        int[] shape = t.shape();
        String what = "a " + Arrays.toString(shape) + (shape.length == 3 ? " image" : " tensor") + " encodes to " + bytes
                + " bytes, above the " + maxRecordBytes + "-byte record limit; ";
        if (shape.length != 3 || t.dtype().elementSize() != 1) {
            return what + "raise --max-record-bytes";
        }
        long pixels = (long) shape[0] * shape[1] * shape[2];
        long budget = maxRecordBytes - (bytes - pixels);
        return what + ImageOptions.fix(Downscale.largestSideWithin(shape[0], shape[1], shape[2], budget));
    }

    /** The size of the binary encoding of the sample's record (docs/record-format.md), computed, not encoded. */
    long encodedBytes(Sample s) {
        Tensor t = s.features();
        long bytes = 14 + 2 + utf8(s.id()) + 2 + utf8(key) + 2 + utf8(s.domain()) + 4 + 4L * t.rank()
                + (long) t.values().length * t.dtype().elementSize();
        if (!s.metadata().isEmpty()) {
            bytes += 2;
            for (Map.Entry<String, String> e : s.metadata().entrySet()) {
                bytes += 4 + utf8(e.getKey()) + utf8(e.getValue());
            }
        }
        return bytes;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
