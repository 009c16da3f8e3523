/**
 * {@code ctta bench scale-nodes}: samples/s of one {@code ctta run} process against several on the
 * same machine, sharing one partition-scoped pipeline through its consumer group
 * (docs/benchmarks/scale.md, docs/scaling.md).
 */
package io.ctta.benchmarks.nodes;
