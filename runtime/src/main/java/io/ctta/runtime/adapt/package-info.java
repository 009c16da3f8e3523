/**
 * The adaptation-strategy SPI ({@link io.ctta.runtime.adapt.AdaptationStrategy},
 * {@link io.ctta.runtime.adapt.StrategyProvider}, {@link io.ctta.runtime.adapt.StrategyRegistry}),
 * per-thread gradient sessions ({@link io.ctta.runtime.adapt.GradientGate}) and shared loss terms.
 */
package io.ctta.runtime.adapt;
