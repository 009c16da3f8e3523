package io.ctta.actors.cluster;

import java.util.List;

/**
 * One model of a node, as {@code /api/cluster} lists it.
 *
 * @param pipeline the pipeline it serves
 * @param scope the pipeline's scope: {@code pipeline}, {@code partition} or {@code key}
 * @param partition the input partition this model serves alone ({@code scope = partition}); null
 *     for a model that serves every partition its node consumes for the pipeline, and for the one
 *     row of a partition-scoped pipeline that serves no partition on this node
 * @param model the name the model is registered, checkpointed and metered under: the pipeline's
 *     name, or {@code <pipeline>-p<N>} for a partition's model; null when no model runs
 * @param assigned the input partitions this model serves on this node: its own partition with
 *     {@code scope = partition}; otherwise those the pipeline's consumer holds, as the group
 *     coordinator reports them, known when static membership ({@code group-instance-id}) names
 *     the node's consumer, empty when unknown
 * @param strategy the pipeline's configured strategy
 * @param modelVersion parameter updates the model applied so far ({@code ctta.model.version} of {@code model})
 * @param keys with {@code scope = key}, the keys with a state of their own (in memory and in
 *     files: {@code ctta_key_states_resident + ctta_key_states_spilled}); 0 otherwise
 * @param state the pipeline's state (STARTING, RUNNING, RESTARTING, STOPPED, FAILED)
 */
public record ModelView(String pipeline, String scope, Integer partition, String model, List<Integer> assigned, String strategy,
        long modelVersion, long keys, String state) implements ClusterMessage {
    public ModelView {
        assigned = List.copyOf(assigned);
    }
}
