/**
 * The {@code ecotta} strategy (EcoTTA, CVPR 2023): meta networks on a frozen encoder, warmed up on
 * source data, adapted by filtered entropy and self-distilled regularisation. See
 * docs/strategies/ecotta.md.
 */
package io.ctta.adapters.ecotta;
