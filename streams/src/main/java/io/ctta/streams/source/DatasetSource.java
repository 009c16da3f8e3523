package io.ctta.streams.source;

import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;

/**
 * An opened dataset: its domains in stream order, known up front, and one pass over its samples,
 * domain after domain, read lazily (never the whole dataset in memory).
 *
 * <p>Items that are bad when read (a missing or undecodable image, a row with a missing field, a label
 * out of range) are skipped and recorded in {@link #skips()}, with the file and the metadata row; the
 * pass goes on. Not thread-safe: one consumer.
 */
public interface DatasetSource extends AutoCloseable {

    /** One line saying what is replayed, e.g. "iWildCam v2.0 (WILDS): split test, 3 locations by location". */
    String description();

    /** The domains in stream order; their names are the samples' domain tags. */
    List<DomainInfo> domains();

    /**
     * The size of the label space the labels index into (labels are {@code 0..classes-1}), where the
     * dataset defines it; a model's output layer needs it before the first record.
     */
    OptionalInt classes();

    /**
     * The samples, domain after domain in {@link #domains()} order. One pass per source.
     *
     * @throws IllegalStateException when called a second time
     */
    Iterator<Sample> samples();

    /**
     * Tells the source the largest record its samples may become; {@link SourceRecords} calls it before
     * {@link #samples()}. A source that decodes images may then skip, as {@link SkipLog.Reason#TOO_LARGE},
     * an image whose decoded pixels alone exceed it, from the image's header, without decoding it (the
     * record would be skipped anyway). The default ignores it.
     *
     * @param maxRecordBytes the record limit, {@code >= 1}
     */
    default void limitRecordBytes(long maxRecordBytes) {
    }

    /** What was skipped so far (during {@code open} and the pass), with reasons. */
    SkipLog skips();

    /** Releases what the source holds open; the default holds nothing. */
    @Override
    default void close() {
    }
}
