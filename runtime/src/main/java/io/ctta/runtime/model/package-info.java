/**
 * The model wrapper over DJL: {@link io.ctta.runtime.model.AdaptiveModel} (single owner of a model's
 * native memory), its {@link io.ctta.runtime.model.ModelSpec}, {@link io.ctta.runtime.model.Device}
 * selection, input {@link io.ctta.runtime.model.Preprocessing} and
 * {@link io.ctta.runtime.model.ParameterSelector parameter groups}.
 */
package io.ctta.runtime.model;
