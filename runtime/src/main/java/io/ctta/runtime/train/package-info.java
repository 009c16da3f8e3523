/** Supervised (source) training of an {@link io.ctta.runtime.model.AdaptiveModel}. */
package io.ctta.runtime.train;
