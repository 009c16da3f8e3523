/**
 * Wire formats: the versioned binary (or JSON) input record ({@link io.ctta.streams.serde.RecordCodec},
 * decoding to a {@link io.ctta.streams.serde.DecodeResult} instead of throwing), the JSON prediction
 * and feedback records, and dead-letter records that keep the original bytes.
 *
 * <p>Every byte is specified in {@code docs/record-format.md}; change that document and the schema
 * version together.
 */
package io.ctta.streams.serde;
