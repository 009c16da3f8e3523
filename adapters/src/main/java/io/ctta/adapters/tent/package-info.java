/** The {@code tent} strategy (entropy minimisation on BN affine parameters). See docs/strategies/tent.md. */
package io.ctta.adapters.tent;
