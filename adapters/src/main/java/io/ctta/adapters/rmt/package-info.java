/**
 * The {@code rmt} strategy (Robust Mean Teacher, CVPR 2023): student and EMA teacher, symmetric
 * cross-entropy, contrastive loss against source prototypes, source replay and warm-up. See
 * docs/strategies/rmt.md.
 */
package io.ctta.adapters.rmt;
