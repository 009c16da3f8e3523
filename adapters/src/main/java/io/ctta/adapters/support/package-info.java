/** Helpers shared by the strategies in this module (settings parsing). */
package io.ctta.adapters.support;
