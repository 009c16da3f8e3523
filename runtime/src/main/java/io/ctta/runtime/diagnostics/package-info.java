/**
 * Plasticity diagnostics for continual learning (ALGORITHMS.md 2.5, 3.7): dead units, weight
 * magnitude, effective rank of the penultimate features, online accuracy per task, sample
 * plasticity. Pure functions over heap arrays or DJL arrays; nothing here changes a model.
 */
package io.ctta.runtime.diagnostics;
