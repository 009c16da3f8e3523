/**
 * Helpers shared by the strategies in this module: settings parsing, the owned model and closing,
 * state maps, the gradient check, warm-up cache files.
 */
package io.ctta.adapters.support;
