package io.ctta.streams.source;

import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import java.nio.charset.StandardCharsets;
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
 * source's {@link SkipLog} ({@link SkipLog.Reason#TOO_LARGE}), with the fix in the message, instead of
 * failing the producer on the first large camera-trap photograph.
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
        this.samples = source.samples();
        this.skips = source.skips();
        this.key = Objects.requireNonNull(key, "key");
        this.startMs = startMs;
        if (maxRecordBytes < 1024) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 1024, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public boolean hasNext() {
        while (next == null && samples.hasNext()) {
            Sample s = samples.next();
            long bytes = encodedBytes(s);
            if (bytes > maxRecordBytes) {
                int[] shape = s.features().shape();
                skips.skip(SkipLog.Reason.TOO_LARGE, s.id(), "a " + java.util.Arrays.toString(shape) + " image encodes to "
                        + bytes + " bytes, above the " + maxRecordBytes + "-byte record limit; replay with a smaller"
                        + " --max-side (e.g. 448) or raise the limit");
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
