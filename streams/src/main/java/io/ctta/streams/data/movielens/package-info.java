/**
 * The MovieLens rating stream (ml-latest-small, read from Debian's {@code r-cran-dslabs} without
 * R), a seeded synthetic drifting rating stream, and the hashed-field encoding for the built-in
 * tabular model. Click label: rating >= 4; regression target: the rating (ten half-star classes).
 */
package io.ctta.streams.data.movielens;
