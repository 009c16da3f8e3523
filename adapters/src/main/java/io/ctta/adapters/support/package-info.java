/** Helpers shared by the strategies in this module (settings parsing, warm-up cache files). */
package io.ctta.adapters.support;
