/**
 * Optimizers whose complete state can be exported to the heap and imported again, so that
 * strategy checkpoints and snapshots are exact.
 */
package io.ctta.runtime.adapt.optim;
