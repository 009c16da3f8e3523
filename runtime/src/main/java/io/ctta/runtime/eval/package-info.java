/** Online (prequential) evaluation; pure Java. */
package io.ctta.runtime.eval;
