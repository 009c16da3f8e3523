package io.ctta.streams.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A dataset format ctta can replay, found by {@link #name()} through {@link java.util.ServiceLoader}
 * (register an implementation in {@code META-INF/services/io.ctta.streams.source.DatasetReader}; it
 * needs a public no-argument constructor). Implementations are stateless: every {@link #open} returns
 * an independent source.
 */
public interface DatasetReader {

    /** The format name users type, e.g. {@code iwildcam}; lower case, unique. */
    String name();

    /** One line for {@code ctta replay --list-formats}: what the format is and where its layout comes from. */
    String description();

    /** What {@code location} must be, in one line, e.g. "the directory holding iwildcam_v2.0/". */
    String locationHelp();

    /** Every option {@link #open} accepts; any other name is refused. */
    List<ReaderOption> options();

    /**
     * Opens the dataset: validates the options once, reads what is cheap to know (the metadata file, the
     * folder listing) and fixes the domains and their order. Images are read later, one at a time, by
     * {@link DatasetSource#samples()}.
     *
     * @param location the dataset on disk; {@code null} where the reader has a default location
     * @param options  the user's options, checked against {@link #options()}
     * @throws IllegalArgumentException for an unknown or invalid option (the message names it and the fix)
     * @throws java.nio.file.NoSuchFileException when the dataset directory or its metadata file is missing
     *                                           (the message names the path that was expected)
     * @throws IOException                       when the metadata cannot be read at all
     */
    DatasetSource open(Path location, ReaderOptions options) throws IOException;
}
