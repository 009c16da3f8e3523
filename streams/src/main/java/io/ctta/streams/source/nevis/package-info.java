/**
 * NEVIS'22 (Bornschein et al. 2023): the published task streams
 * ({@link io.ctta.streams.source.nevis.NevisStream}, from google-deepmind/dm_nevis,
 * {@code dm_nevis/streams/nevis_stream.py}) replayed over the datasets a user has on disk as class
 * folders, one global label space with a documented offset per task
 * ({@code docs/datasets.md#nevis22}).
 */
package io.ctta.streams.source.nevis;
