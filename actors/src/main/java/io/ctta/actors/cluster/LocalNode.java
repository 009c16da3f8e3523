package io.ctta.actors.cluster;

import io.ctta.actors.config.CttaSettings.Scope;
import io.ctta.actors.health.PipelineStatus;
import io.ctta.actors.health.PipelineStates;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What this node runs, read from the registries the pipelines already keep (their states, their
 * meters, their model actors) without asking any actor: the describe answer, and which models an
 * admin action reaches.
 */
public final class LocalNode {

    private static final Comparator<LocalModels.Model> BY_PARTITION =
            Comparator.comparing(LocalModels.Model::partition, Comparator.nullsFirst(Comparator.naturalOrder()));

    private final LocalModels models;
    private final PipelineStates states;
    private final MeterRegistry meters;
    private final Map<String, Scope> scopes;

    /** @param scopes every configured pipeline's scope (a pipeline not in it has {@code scope = pipeline}) */
    public LocalNode(LocalModels models, PipelineStates states, MeterRegistry meters, Map<String, Scope> scopes) {
        this.models = models;
        this.states = states;
        this.meters = meters;
        this.scopes = Map.copyOf(scopes);
    }

    /**
     * Every configured pipeline's models, in config order, a partition-scoped pipeline's by
     * partition; a pipeline whose model actor is not up yet (or any more), and a partition-scoped
     * pipeline that serves no partition here, is listed once, with its state.
     *
     * @param assigned the input partitions each pipeline's consumer holds here, where known
     */
    List<ModelView> describe(Map<String, List<Integer>> assigned) {
        List<LocalModels.Model> all = models.all();
        List<ModelView> out = new ArrayList<>();
        for (PipelineStatus s : states.all()) {
            Scope scope = scopes.getOrDefault(s.name(), Scope.PIPELINE);
            List<LocalModels.Model> own = all.stream().filter(m -> m.pipeline().equals(s.name())).sorted(BY_PARTITION).toList();
            if (own.isEmpty()) {
                // No partition's model here: there is no model to name, and the partitions it serves are none.
                out.add(scope == Scope.PARTITION ? view(s, scope, null, null, List.of())
                        : view(s, scope, null, s.name(), assigned.getOrDefault(s.name(), List.of())));
            }
            for (LocalModels.Model m : own) {
                out.add(view(s, scope, m.partition(), m.name(),
                        m.partition() == null ? assigned.getOrDefault(s.name(), List.of()) : List.of(m.partition())));
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
                .sorted(BY_PARTITION)
                .toList();
    }

    private ModelView view(PipelineStatus s, Scope scope, Integer partition, String model, List<Integer> partitions) {
        long version = model == null ? 0 : gauge("ctta.model.version", model);
        // Every key with a state of its own, whether in memory or evicted to its file.
        long keys = scope == Scope.KEY ? gauge("ctta.key.states.resident", model) + gauge("ctta.key.states.spilled", model) : 0;
        return new ModelView(s.name(), scope.name().toLowerCase(Locale.ROOT), partition, model, partitions, s.strategy(), version, keys,
                s.state().name());
    }

    /** A model's gauge; 0 before it is registered. */
    private long gauge(String name, String model) {
        Gauge g = meters.find(name).tag("pipeline", model).gauge();
        return g == null || !Double.isFinite(g.value()) ? 0 : (long) g.value();
    }
}
