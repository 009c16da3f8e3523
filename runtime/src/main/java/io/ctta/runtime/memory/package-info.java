/**
 * Native-memory scoping: {@link io.ctta.runtime.memory.StepScope} per message, and counters used
 * by leak tests. See docs/memory-management.md.
 */
package io.ctta.runtime.memory;
