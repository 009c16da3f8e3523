package io.ctta.actors.cluster;

import java.util.List;

/**
 * One model of a node, as {@code /api/cluster} lists it.
 *
 * @param pipeline the pipeline it serves
 * @param partition the input partition this model serves alone; null for a model that serves
 *     every partition its node consumes for the pipeline (one model per pipeline)
 * @param assigned the input partitions the pipeline's consumer holds on this node, as the group
 *     coordinator reports them; known when static membership ({@code group-instance-id}) names the
 *     node's consumer, empty when unknown
 * @param strategy the pipeline's configured strategy
 * @param modelVersion parameter updates the model applied so far ({@code ctta.model.version})
 * @param keys keys with a model state of their own in this model; 0 when none is kept per key
 * @param state the pipeline's state (STARTING, RUNNING, RESTARTING, STOPPED, FAILED)
 */
public record ModelView(String pipeline, Integer partition, List<Integer> assigned, String strategy, long modelVersion, int keys,
        String state) implements ClusterMessage {
    public ModelView {
        assigned = List.copyOf(assigned);
    }
}
