package io.ctta.actors.cluster;

import io.ctta.actors.health.PipelineStatus;
import io.ctta.actors.health.PipelineStates;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What this node runs, read from the registries the pipelines already keep (their states, their
 * meters, their model actors) without asking any actor: the describe answer, and which models an
 * admin action reaches.
 */
public final class LocalNode {

    private final LocalModels models;
    private final PipelineStates states;
    private final MeterRegistry meters;

    public LocalNode(LocalModels models, PipelineStates states, MeterRegistry meters) {
        this.models = models;
        this.states = states;
        this.meters = meters;
    }

    /**
     * Every configured pipeline's models, in config order; a pipeline whose model actor is not up
     * yet (or any more) is listed once, with its state.
     *
     * @param assigned the input partitions each pipeline's consumer holds here, where known
     */
    List<ModelView> describe(Map<String, List<Integer>> assigned) {
        List<LocalModels.Model> all = models.all();
        List<ModelView> out = new ArrayList<>();
        for (PipelineStatus s : states.all()) {
            List<Integer> partitions = assigned.getOrDefault(s.name(), List.of());
            List<LocalModels.Model> own = all.stream().filter(m -> m.pipeline().equals(s.name())).toList();
            if (own.isEmpty()) {
                out.add(view(s, null, partitions));
            }
            for (LocalModels.Model m : own) {
                out.add(view(s, m.partition(), m.partition() == null ? partitions : List.of(m.partition())));
            }
        }
        return out;
    }

    /**
     * The models an admin action for {@code pipeline} reaches here: all of them without a
     * partition; with one, the model of that partition, or the pipeline's model when its consumer
     * holds that partition.
     */
    List<LocalModels.Model> targets(String pipeline, Integer partition, Map<String, List<Integer>> assigned) {
        return models.all().stream()
                .filter(m -> m.pipeline().equals(pipeline))
                .filter(m -> partition == null || partition.equals(m.partition())
                        || (m.partition() == null && assigned.getOrDefault(pipeline, List.of()).contains(partition)))
                .toList();
    }

    private ModelView view(PipelineStatus s, Integer partition, List<Integer> partitions) {
        Gauge version = meters.find("ctta.model.version").tag("pipeline", s.name()).gauge();
        long v = version == null || !Double.isFinite(version.value()) ? 0 : (long) version.value();
        // No model keeps state per key today: keys is 0 until one does.
        return new ModelView(s.name(), partition, partitions, s.strategy(), v, 0, s.state().name());
    }
}
