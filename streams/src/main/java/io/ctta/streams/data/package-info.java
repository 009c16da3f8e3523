/**
 * Image datasets and corruption streams: IDX (MNIST / Fashion-MNIST) reading and writing,
 * Fashion-MNIST loading, a seeded Fashion-MNIST-C corruption generator, continual corruption
 * streams and the on-disk stream directory format.
 *
 * <p>Everything here is plain heap Java (no DJL, no Kafka), so a stream can be produced, stored,
 * replayed and checked without a model or a broker. Recipes and per-severity parameters are
 * documented in {@code docs/corruptions.md}; the directory layout in
 * {@code docs/stream-directory.md}.
 */
package io.ctta.streams.data;
