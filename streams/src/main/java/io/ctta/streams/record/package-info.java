/**
 * Heap-only records that cross the Kafka boundary: the input {@link io.ctta.streams.record.InferenceRecord}
 * with its typed {@link io.ctta.streams.record.Tensor}, the output
 * {@link io.ctta.streams.record.PredictionRecord}, delayed {@link io.ctta.streams.record.LabelFeedback},
 * and the topic names derived from a pipeline name ({@link io.ctta.streams.record.Topics}).
 *
 * <p>Nothing here touches Kafka, Jackson or DJL: wire formats live in {@code io.ctta.streams.serde}.
 * The byte layout is documented in {@code docs/record-format.md}.
 */
package io.ctta.streams.record;
