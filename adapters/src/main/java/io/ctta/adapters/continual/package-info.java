/**
 * Supervised continual strategies (labels arrive, possibly delayed): online {@code sgd} and
 * {@code adam} baselines, {@code upgd}, and the spectral / Wasserstein regularizers that compose
 * with any of them ({@code sgd+spectral}, {@code adam+spectral}, {@code upgd+spectral}, or the
 * setting {@code regularizer}). See docs/strategies/sgd-adam.md, upgd.md and spectral.md.
 */
package io.ctta.adapters.continual;
