/** Heap-only values that cross actor boundaries: batches, model outputs, step outcomes. */
package io.ctta.runtime.data;
