/** The {@code norm} strategy: BN-1 / BN-α normalisation-only adaptation. See docs/strategies/norm.md. */
package io.ctta.adapters.norm;
