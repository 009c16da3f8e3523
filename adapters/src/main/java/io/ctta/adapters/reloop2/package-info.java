/**
 * The {@code reloop2} strategy: ReLoop2's responsive error-compensation loop (Zhu et al., KDD 2023)
 * wrapped around any base strategy, with the paper's LSH sketch memory and an exact kNN memory.
 * See docs/strategies/reloop2.md.
 */
package io.ctta.adapters.reloop2;
