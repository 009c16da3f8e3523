/** Small, dependency-free helpers shared by the runtime and the strategies. */
package io.ctta.runtime.util;
