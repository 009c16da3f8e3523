/**
 * Drift detectors: pure-Java, heap-only change detectors that the runtime feeds with per-record
 * signals (0/1 errors, prediction entropy or confidence) or with embedding vectors.
 *
 * <p>Scalar detectors implement {@link io.ctta.runtime.drift.DriftDetector} ({@code update(double)}):
 * {@link io.ctta.runtime.drift.AdwinDetector}, {@link io.ctta.runtime.drift.PageHinkleyDetector},
 * {@link io.ctta.runtime.drift.DdmDetector}. Vector detectors implement
 * {@link io.ctta.runtime.drift.MultivariateDriftDetector} ({@code update(double[])}):
 * {@link io.ctta.runtime.drift.KsDriftDetector} and {@link io.ctta.runtime.drift.MmdDriftDetector}.
 * {@link io.ctta.runtime.drift.DriftDetectors} builds any of them by name from validated HOCON
 * settings. docs/drift.md gives each algorithm with its paper or reference implementation, the
 * parameters, their sources and the measured false-alarm rates and delays.
 *
 * <p>Detectors are not thread-safe: one instance belongs to one signal of one pipeline and is used
 * by one thread at a time. Their whole state round-trips through
 * {@link io.ctta.runtime.drift.DetectorState}, a heap-only value a checkpoint can store.
 */
package io.ctta.runtime.drift;
