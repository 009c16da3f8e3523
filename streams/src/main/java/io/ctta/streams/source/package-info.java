/**
 * The dataset-reader SPI: a {@link io.ctta.streams.source.DatasetReader} turns a dataset in its own
 * on-disk layout into a {@link io.ctta.streams.source.DatasetSource}, an ordered sequence of domains of
 * labelled {@link io.ctta.streams.source.Sample}s with metadata, streamed one sample at a time.
 * Readers are found by name through {@link java.util.ServiceLoader}
 * ({@link io.ctta.streams.source.DatasetReaders}); {@link io.ctta.streams.source.SourceRecords} turns a
 * source into the input records a replay publishes. Bad items are skipped and counted in the source's
 * {@link io.ctta.streams.source.SkipLog}, never the whole stream. Layouts and options:
 * {@code docs/datasets.md}.
 */
package io.ctta.streams.source;
