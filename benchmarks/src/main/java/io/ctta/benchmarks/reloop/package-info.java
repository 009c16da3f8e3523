/**
 * ReLoop2 benchmark: a base strategy against base + {@code reloop2} on the MovieLens rating
 * stream (or the synthetic drifting stream), replayed prequentially through a
 * {@link io.ctta.runtime.feedback.FeedbackJoiner}; writes a Markdown report and a PNG plot.
 */
package io.ctta.benchmarks.reloop;
