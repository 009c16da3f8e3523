/** The {@code source} strategy: no adaptation. See docs/strategies/source.md. */
package io.ctta.adapters.source;
