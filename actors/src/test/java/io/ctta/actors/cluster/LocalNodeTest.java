package io.ctta.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ctta.actors.config.CttaSettings.Scope;
import io.ctta.actors.health.PipelineStates;
import io.ctta.actors.metrics.KeyStateMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a node agent says about each scope, read from the model registry and the meters alone: a
 * partition-scoped pipeline lists a model per partition served here (name {@code <p>-p<N>}, its
 * own model version), a key-scoped one the keys it holds in memory and in files, and admin
 * targets follow the same names. Known answers; no actor runs (a model's reference is not read).
 */
class LocalNodeTest {

    private static final Map<String, Scope> SCOPES = scopes();

    private static Map<String, Scope> scopes() {
        Map<String, Scope> m = new LinkedHashMap<>();
        m.put("whole", Scope.PIPELINE);
        m.put("cam-pa", Scope.PARTITION);
        m.put("keyed", Scope.KEY);
        m.put("idle", Scope.PARTITION);
        // A pipeline whose own name looks like a partition's model of another.
        m.put("cam-pa-x", Scope.PIPELINE);
        return m;
    }

    @Test
    void registryNamesResolveToTheirPipelineAndPartition() {
        assertEquals(new LocalModels.Model("whole", null, "whole", null), LocalModels.resolve("whole", null, SCOPES));
        assertEquals(new LocalModels.Model("cam-pa", 3, "cam-pa-p3", null), LocalModels.resolve("cam-pa-p3", null, SCOPES));
        assertEquals(new LocalModels.Model("cam-pa", 12, "cam-pa-p12", null), LocalModels.resolve("cam-pa-p12", null, SCOPES));
        assertEquals(new LocalModels.Model("cam-pa-x", null, "cam-pa-x", null), LocalModels.resolve("cam-pa-x", null, SCOPES));
        assertNull(LocalModels.resolve("cam-pa", null, SCOPES), "a partition-scoped pipeline has no model of its own");
        assertNull(LocalModels.resolve("whole-p1", null, SCOPES), "whole is not partition-scoped");
        assertNull(LocalModels.resolve("cam-pa-p", null, SCOPES));
        assertNull(LocalModels.resolve("cam-pa-p03", null, SCOPES), "not how a partition's model is named");
        assertNull(LocalModels.resolve("cam-pa-p-1", null, SCOPES));
        assertNull(LocalModels.resolve("cam-pa-p99999999999", null, SCOPES));
        assertNull(LocalModels.resolve("other", null, SCOPES));
    }

    @Test
    void eachScopeIsDescribedFromTheRegistryAndTheMeters() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PipelineStates states = new PipelineStates();
        SCOPES.keySet().forEach(p -> states.register(p, "tent"));
        states.running("cam-pa");
        // Model versions, each under the name its model is metered by.
        version(meters, "whole", 7);
        version(meters, "cam-pa-p3", 30);
        version(meters, "cam-pa-p1", 10);
        version(meters, "keyed", 5);
        KeyStateMetrics keys = new KeyStateMetrics(meters, "keyed", "tent");
        keys.sizes(2, 3);
        new KeyStateMetrics(meters, "whole", "tent");

        Map<String, org.apache.pekko.actor.typed.ActorRef<io.ctta.actors.model.ModelActor.Command>> registry = new LinkedHashMap<>();
        for (String name : List.of("cam-pa-p3", "whole", "keyed", "cam-pa-p1", "cam-pa-x")) {
            registry.put(name, null);
        }
        LocalNode node = new LocalNode(LocalModels.fromRegistry(registry, SCOPES), states, meters, SCOPES);
        List<ModelView> views = node.describe(Map.of("whole", List.of(0, 2)));

        assertEquals(List.of(
                new ModelView("whole", "pipeline", null, "whole", List.of(0, 2), "tent", 7, 0, "STARTING"),
                new ModelView("cam-pa", "partition", 1, "cam-pa-p1", List.of(1), "tent", 10, 0, "RUNNING"),
                new ModelView("cam-pa", "partition", 3, "cam-pa-p3", List.of(3), "tent", 30, 0, "RUNNING"),
                new ModelView("keyed", "key", null, "keyed", List.of(), "tent", 5, 5, "STARTING"),
                new ModelView("idle", "partition", null, null, List.of(), "tent", 0, 0, "STARTING"),
                new ModelView("cam-pa-x", "pipeline", null, "cam-pa-x", List.of(), "tent", 0, 0, "STARTING")), views);

        assertEquals(List.of("cam-pa-p3"), names(node.targets("cam-pa", 3, Map.of())));
        assertEquals(List.of("cam-pa-p1", "cam-pa-p3"), names(node.targets("cam-pa", null, Map.of())));
        assertEquals(List.of(), names(node.targets("cam-pa", 2, Map.of())), "partition 2 is not served here");
        assertEquals(List.of("whole"), names(node.targets("whole", 2, Map.of("whole", List.of(0, 2)))));
        assertEquals(List.of(), names(node.targets("idle", null, Map.of())));
    }

    /** The gauge PipelineMetrics registers for a model, holding {@code v}. */
    private static void version(SimpleMeterRegistry meters, String model, long v) {
        io.micrometer.core.instrument.Gauge.builder("ctta.model.version", () -> v).tags("pipeline", model, "strategy", "tent").register(meters);
    }

    private static List<String> names(List<LocalModels.Model> models) {
        return models.stream().map(LocalModels.Model::name).toList();
    }
}
