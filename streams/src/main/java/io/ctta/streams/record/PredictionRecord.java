package io.ctta.streams.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One output record on {@code <pipeline>.predictions}: the prediction for one input record, stamped
 * with where the input came from and which model version produced it.
 *
 * <p>{@code scores} is not copied (one array per record on the hot path); do not mutate it.
 *
 * @param pipeline       pipeline name
 * @param strategy       adaptation strategy name (e.g. {@code tent})
 * @param id             input record id
 * @param key            input record key
 * @param partition      input partition
 * @param offset         input offset
 * @param eventTimeMs    input event time, epoch ms
 * @param domain         input domain tag or {@code null}
 * @param label          input label or {@code null}
 * @param predictedClass arg-max class
 * @param scores         per-class scores (probabilities or logits, as the pipeline documents)
 * @param modelVersion   version of the model weights that produced this prediction
 * @param processedAtMs  wall-clock time the prediction was made, epoch ms
 */
public record PredictionRecord(String pipeline, String strategy, String id, String key, int partition,
                               long offset, long eventTimeMs, String domain, Integer label,
                               int predictedClass, float[] scores, long modelVersion,
                               long processedAtMs) {

    public PredictionRecord {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scores, "scores");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PredictionRecord p && pipeline.equals(p.pipeline) && strategy.equals(p.strategy)
                && id.equals(p.id) && Objects.equals(key, p.key) && partition == p.partition
                && offset == p.offset && eventTimeMs == p.eventTimeMs && Objects.equals(domain, p.domain)
                && Objects.equals(label, p.label) && predictedClass == p.predictedClass
                && Arrays.equals(scores, p.scores) && modelVersion == p.modelVersion
                && processedAtMs == p.processedAtMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pipeline, strategy, id, key, partition, offset, eventTimeMs, domain, label,
                predictedClass, Arrays.hashCode(scores), modelVersion, processedAtMs);
    }

    @Override
    public String toString() {
        return "PredictionRecord[" + pipeline + "/" + strategy + " id=" + id + " " + partition + "@" + offset
                + " class=" + predictedClass + " scores=" + Arrays.toString(scores) + " v" + modelVersion + "]";
    }
}
