/**
 * Checkpoints of a model actor's state together with the stream offsets it reflects.
 *
 * <ul>
 *   <li>{@link io.ctta.runtime.checkpoint.Checkpoint}: the heap-only value (parameter tensors and
 *       strategy state, opaque extra blobs such as detector and RNG state, next offset per
 *       partition, owner epoch, sequence);
 *   <li>{@link io.ctta.runtime.checkpoint.CheckpointFormat}: the versioned, checksummed binary file
 *       format ({@code docs/checkpoints.md} describes it byte by byte);
 *   <li>{@link io.ctta.runtime.checkpoint.CheckpointStore} and
 *       {@link io.ctta.runtime.checkpoint.FileCheckpointStore}: crash-safe writes (temp file, fsync,
 *       atomic rename, directory fsync, manifest switch), fencing of stale owners by epoch,
 *       retention, and fallback to an older checkpoint when the newest one is corrupt;
 *   <li>{@link io.ctta.runtime.checkpoint.ConfinedPaths} and
 *       {@link io.ctta.runtime.checkpoint.ModelPinning}: user-supplied paths stay inside their
 *       configured roots, and model files are pinned by SHA-256.
 * </ul>
 *
 * <p>Nothing here depends on Pekko or Kafka: offsets are plain {@code topic -> partition -> next
 * offset} maps, and the caller commits them to Kafka only after
 * {@link io.ctta.runtime.checkpoint.CheckpointStore#write} has returned.
 */
package io.ctta.runtime.checkpoint;
