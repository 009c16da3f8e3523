/**
 * Plasticity diagnostics for continual learning (Elsayed and Mahmood, ICLR 2024; Dohare et al.,
 * Nature 2024): dead units, weight
 * magnitude, effective rank of the penultimate features, online accuracy per task, sample
 * plasticity. Pure functions over heap arrays or DJL arrays; nothing here changes a model.
 */
package io.ctta.runtime.diagnostics;
